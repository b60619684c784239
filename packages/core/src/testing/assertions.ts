/**
 * Assertions shared by the conformance groups. They check the contract's shape of failure: a store
 * method never throws synchronously, it returns a Promise that rejects with a Cairn error of the
 * expected code (recognised by `CairnError.is`, so two copies of the package still agree).
 */
import { expect } from 'vitest';
import { CairnError, type ErrorCode } from '../errors.ts';

/** How a store call ended. */
export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

/** Run `action` and report how it settled; a synchronous throw fails the test (methods are async). */
export async function settle<T>(action: () => Promise<T>): Promise<Settled<T>> {
  let pending: Promise<T>;
  try {
    pending = action();
  } catch (error) {
    throw new Error(
      `expected the store method to return a rejected Promise, but it threw synchronously: ${describeValue(error)}`,
    );
  }
  expect(typeof (pending as { then?: unknown } | undefined)?.then, 'store methods return a Promise').toBe('function');
  try {
    return { status: 'fulfilled', value: await pending };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/** Expect `action` to reject with a Cairn error of `code`; returns the error for further checks. */
export async function expectRejection(action: () => Promise<unknown>, code: ErrorCode): Promise<CairnError> {
  const outcome = await settle(action);
  if (outcome.status === 'fulfilled') {
    throw new Error(`expected a rejection with code "${code}", but the call fulfilled with ${describeValue(outcome.value)}`);
  }
  if (!CairnError.is(outcome.reason, code)) {
    throw new Error(`expected a rejection with code "${code}", got ${describeValue(outcome.reason)}`);
  }
  return outcome.reason;
}

/**
 * Expect the message of a store error to follow DESIGN §7: it starts with the package in brackets
 * and quotes the run id it is about.
 */
export function expectMessageNamesRun(error: Error, runId: string): void {
  expect(error.message, 'error messages start with "[package] "').toMatch(/^\[[^\]]+\] /);
  expect(error.message, 'error messages name the run id').toContain(runId);
}

/** A short printable description of any thrown or returned value. */
export function describeValue(value: unknown): string {
  if (CairnError.is(value)) return `${value.name} (code "${value.code}"): ${value.message}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return String(JSON.stringify(value)).slice(0, 300);
  } catch {
    return String(value);
  }
}
