import { describe, expect, it } from 'vitest';
import { deleteFilterShape, filterShapeKey, listFilterShape, type RunFilterShape } from './run-filter.ts';

describe('run filter shapes', () => {
  it('names each of the 32 shapes by its own key from 0 to 31', () => {
    const keys = new Set<number>();
    for (let bits = 0; bits < 32; bits++) {
      const shape: RunFilterShape = {
        runIds: (bits & 1) !== 0,
        status: (bits & 2) !== 0,
        workflow: (bits & 4) !== 0,
        updatedBefore: (bits & 8) !== 0,
        cursor: (bits & 16) !== 0,
      };
      keys.add(filterShapeKey(shape));
    }
    expect([...keys].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, index) => index));
  });

  it('reads a listing from its filters and cursor, a delete from its own (empty lists count as set)', () => {
    expect(listFilterShape(undefined, undefined)).toEqual({
      runIds: false,
      status: false,
      workflow: false,
      updatedBefore: false,
      cursor: false,
    });
    expect(listFilterShape({ status: [], workflow: 'w', updatedBefore: 0 }, { createdAt: 1, runId: 'r' })).toEqual({
      runIds: false,
      status: true,
      workflow: true,
      updatedBefore: true,
      cursor: true,
    });
    expect(deleteFilterShape({ runIds: [], updatedBefore: 5 })).toEqual({
      runIds: true,
      status: false,
      workflow: false,
      updatedBefore: true,
      cursor: false,
    });
  });
});
