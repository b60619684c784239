// openStore / parseStoreSpec: the two spec forms a command line can pass, and clear refusals.
import { join } from 'node:path';
import { CairnError } from '@cairn/core';
import { newRunFixture } from '@cairn/core/testing';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, parseStoreSpec } from './open-store.ts';

const temp = makeTempDir('open-store');
afterAll(() => temp.remove());

describe('openStore', () => {
  it('parses sqlite:PATH and file:DIR, keeping everything after the first colon', () => {
    expect(parseStoreSpec('sqlite:./runs.db')).toStrictEqual({ kind: 'sqlite', path: './runs.db' });
    expect(parseStoreSpec('sqlite::memory:')).toStrictEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStoreSpec('file:/var/lib/cairn')).toStrictEqual({ kind: 'file', dir: '/var/lib/cairn' });
    expect(parseStoreSpec('file:C:\\runs')).toStrictEqual({ kind: 'file', dir: 'C:\\runs' });
  });

  it('refuses anything else with InvalidArgumentError saying what is expected', () => {
    for (const spec of ['', 'runs.db', 'mysql://x', 'sqlite:', 'file:', ':x', 'SQLITE:x', 'sqlite:a\u0000b']) {
      let error: unknown;
      try {
        parseStoreSpec(spec);
      } catch (caught) {
        error = caught;
      }
      expect(CairnError.is(error, 'invalid-argument'), spec).toBe(true);
      expect((error as Error).message).toMatch(
        /^\[@cairn\/storage-node\] store spec .*(sqlite:PATH, file:DIR, postgres:\/\/… or redis:\/\/…|needs a)/,
      );
    }
  });

  it('opens the store a spec names', async () => {
    for (const [spec, name] of [
      [`sqlite:${join(temp.path, 'a.db')}`, 'sqlite'],
      [`file:${join(temp.path, 'files')}`, 'file'],
    ] as const) {
      const store = openStore(spec, { maxPayloadBytes: 4096 });
      expect(store.name).toBe(name);
      expect(store.limits.maxPayloadBytes).toBe(4096);
      await store.createRun(newRunFixture('run-1'));
      await store.close();
      const again = openStore(spec);
      expect((await again.getRun('run-1'))?.runId).toBe('run-1');
      await again.close();
    }
  });
});
