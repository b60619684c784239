import { CairnError, RunNotFoundError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { isTransientStorageError, toStoreError } from './storage-errors.ts';

function flagged(message: string, flags: Record<string, boolean>): Error {
  return Object.assign(new Error(message), flags);
}

describe('storage error mapping', () => {
  it('treats errors the runtime flags as retryable, overloaded or reset as transient', () => {
    expect(isTransientStorageError(flagged('Internal error in storage', { retryable: true }))).toBe(true);
    expect(isTransientStorageError(flagged('Too many requests queued', { overloaded: true }))).toBe(true);
    expect(isTransientStorageError(flagged('reset by the test', { durableObjectReset: true }))).toBe(true);
    expect(isTransientStorageError(new Error('Network connection lost.'))).toBe(true);
    expect(isTransientStorageError(new Error('database is locked: SQLITE_BUSY'))).toBe(true);
  });

  it('treats constraint, full-disk and unknown errors as permanent', () => {
    expect(isTransientStorageError(new Error('UNIQUE constraint failed: cairn_entries.run_id: SQLITE_CONSTRAINT'))).toBe(false);
    expect(isTransientStorageError(new Error('database or disk is full: SQLITE_FULL'))).toBe(false);
    expect(isTransientStorageError('a string')).toBe(false);
    expect(isTransientStorageError(null)).toBe(false);
  });

  it('wraps backend errors in StorageUnavailableError with the cause, the package and the run', () => {
    const cause = flagged('Durable Object storage operation exceeded timeout', { retryable: true });
    const error = toStoreError(cause, 'append', 'run-7');
    expect(CairnError.is(error, 'storage-unavailable')).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toMatch(/^\[@cairn\/storage-durable-objects\] run "run-7": append failed: /);
  });

  it('keeps messages short when the backend message is long', () => {
    const error = toStoreError(new Error(`boom ${'x'.repeat(5000)}`), 'listRuns');
    expect(error.message.length).toBeLessThan(300);
    expect(error.message.startsWith('[@cairn/storage-durable-objects] listRuns failed: boom')).toBe(true);
  });

  it('turns size-limit failures into PayloadTooLargeError naming the run', () => {
    const sqlite = toStoreError(new Error('string or blob too big: SQLITE_TOOBIG'), 'append', 'run-8');
    expect(CairnError.is(sqlite, 'payload-too-large')).toBe(true);
    expect(sqlite.message).toContain('"run-8"');
    const rpc = toStoreError(
      new Error('Serialized RPC arguments or return values are limited to 32MiB, but …'),
      'append',
      'run-9',
    );
    expect(CairnError.is(rpc, 'payload-too-large')).toBe(true);
  });

  it('passes Cairn errors through untouched', () => {
    const original = new RunNotFoundError('[@cairn/storage-durable-objects] run "r" not found');
    expect(toStoreError(original, 'updateRun', 'r')).toBe(original);
  });
});
