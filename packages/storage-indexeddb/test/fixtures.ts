/**
 * Plain fixtures for this package's own tests (the conformance suite brings its own). No clock,
 * no randomness: a failing test prints the same data every run.
 */
import { initialRun, type NewEntry, type NewRun } from '@cairn/core';

/** A fixed epoch time, 2026-01-01T00:00:00Z. */
export const T0 = 1_767_225_600_000;

/** A valid running run with `overrides`. */
export function runFixture(runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return { ...initialRun({ runId, workflow: 'fixture', input: '{"v":null}', createdAt: T0 }), ...overrides };
}

/** A `step-end` entry for step `key` with `overrides`. */
export function entryFixture(key: string, overrides: Partial<NewEntry> = {}): NewEntry {
  return { kind: 'step-end', key, payload: `{"v":${JSON.stringify(key)}}`, createdAt: T0, ...overrides };
}

/** Stable unique database names for a test file. */
export function databaseName(label: string): string {
  return `cairn-unit-${label}-${crypto.randomUUID()}`;
}
