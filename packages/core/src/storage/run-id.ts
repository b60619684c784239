import { InvalidRunIdError } from '../errors.ts';

/** The shape every run id must have, wherever it enters (API, store, CLI, URL). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Throw `InvalidRunIdError` (naming the id, truncated) unless `runId` is a valid run id. */
export function assertRunId(runId: unknown, where = '@cairn/core'): asserts runId is string {
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    const shown = typeof runId === 'string' ? JSON.stringify(runId.slice(0, 140)) : typeof runId;
    throw new InvalidRunIdError(`[${where}] invalid run id ${shown}: expected 1-128 characters of A-Z a-z 0-9 _ -`);
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new time-sortable run id: `run_` + 10 characters of millisecond time + 16 random characters
 * (Crockford base32, ULID layout), so ids sort by creation time as strings.
 */
export function newRunId(now: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let random = '';
  for (const byte of bytes) random += CROCKFORD[byte % 32];
  return `run_${time}${random}`;
}
