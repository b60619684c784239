/**
 * The fresh process of scenario 3: open the store, create a runtime and resume the prepared run;
 * the moment the workflow reaches its first unexecuted step (`next`), print the timings as one JSON
 * line and exit without running it.
 *
 *   node resume-child.ts '{"kind":"sqlite","path":"…","runId":"…","owner":"…"}'
 */
import { createRuntime, type DurableStore } from '@cairn/core';
import { createFileStore, createSqliteStore } from '@cairn/storage-node';
import { countingStore } from '../lib/counting-store.ts';
import { resumeWorkflow } from '../lib/workflows.ts';

/** What the parent passes. */
export interface ResumeChildArguments {
  kind: 'sqlite' | 'file';
  path: string;
  runId: string;
  owner: string;
}

/** What the child prints. */
export interface ResumeChildTimings {
  /** Process start → this module's first line (Node boot + loading the modules). */
  bootMs: number;
  /** Opening the store and creating the runtime. */
  openMs: number;
  /** Inside `readEntries` (loading the journal: the store's part of the resume). */
  readMs: number;
  /** Runtime creation started → first unexecuted step reached (open + load + replay). */
  resumeMs: number;
  /** Store calls during the resume. */
  readEntriesCalls: number;
  getRunCalls: number;
  writes: number;
}

const bootMs = performance.now();
const input = JSON.parse(process.argv[2] ?? '{}') as ResumeChildArguments;
const started = performance.now();
const inner: DurableStore =
  input.kind === 'sqlite' ? createSqliteStore({ path: input.path }) : createFileStore({ dir: input.path });
const counting = countingStore(inner);
let readMs = 0;
const readEntries = counting.store.readEntries;
counting.store.readEntries = async (runId, options) => {
  const before = performance.now();
  const entries = await readEntries(runId, options);
  readMs += performance.now() - before;
  return entries;
};
let opened = 0;
const workflow = resumeWorkflow(() => {
  const reached = performance.now();
  const timings: ResumeChildTimings = {
    bootMs,
    openMs: opened - started,
    readMs,
    resumeMs: reached - started,
    readEntriesCalls: counting.counts.readEntries,
    getRunCalls: counting.counts.getRun,
    writes: counting.counts.createRun + counting.counts.updateRun + counting.counts.append,
  };
  process.stdout.write(`${JSON.stringify(timings)}\n`);
  process.exit(0);
});
const runtime = createRuntime({ store: counting.store, workflows: [workflow], owner: input.owner });
opened = performance.now();
await runtime.resume(input.runId);
