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
import { collectGarbage } from '../lib/timing.ts';
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
  /** Runtime created → first `readEntries` call: reading the header and taking the lease (one durable write). */
  beforeReadMs: number;
  /** Last `readEntries` returned → first unexecuted step reached: building the replay state and replaying. */
  replayMs: number;
  /** Runtime creation started → first unexecuted step reached (open + load + replay). */
  resumeMs: number;
  /** CPU time (user + system, all threads) the process spent on `resumeMs`: less sensitive to a loaded machine. */
  cpuMs: number;
  /** Store calls during the resume. */
  readEntriesCalls: number;
  getRunCalls: number;
  writes: number;
  /** Heap still held at that step (after a collection) beyond the heap before opening the store. */
  heapHeldBytes: number;
  /** UTF-8 bytes of the journal's payloads as loaded (what replay could need at most). */
  payloadBytes: number;
}

const bootMs = performance.now();
const input = JSON.parse(process.argv[2] ?? '{}') as ResumeChildArguments;
collectGarbage();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const cpuBefore = process.cpuUsage();
const inner: DurableStore =
  input.kind === 'sqlite' ? createSqliteStore({ path: input.path }) : createFileStore({ dir: input.path });
const counting = countingStore(inner);
let readMs = 0;
let firstReadAt = Number.NaN;
let lastReadEnd = Number.NaN;
let payloadBytes = 0;
const readEntries = counting.store.readEntries;
counting.store.readEntries = async (runId, options) => {
  const before = performance.now();
  if (Number.isNaN(firstReadAt)) firstReadAt = before;
  const entries = await readEntries(runId, options);
  lastReadEnd = performance.now();
  readMs += lastReadEnd - before;
  for (const entry of entries) payloadBytes += Buffer.byteLength(entry.payload);
  return entries;
};
let opened = 0;
const workflow = resumeWorkflow(() => {
  const reached = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const timings: ResumeChildTimings = {
    bootMs,
    openMs: opened - started,
    readMs,
    beforeReadMs: firstReadAt - opened,
    replayMs: reached - lastReadEnd,
    resumeMs: reached - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    readEntriesCalls: counting.counts.readEntries,
    getRunCalls: counting.counts.getRun,
    writes: counting.counts.createRun + counting.counts.updateRun + counting.counts.append,
    heapHeldBytes: 0,
    payloadBytes,
  };
  // Measured after the timings: the workflow's stack and the runtime stay alive meanwhile.
  collectGarbage();
  collectGarbage();
  timings.heapHeldBytes = process.memoryUsage().heapUsed - heapBefore;
  process.stdout.write(`${JSON.stringify(timings)}\n`);
  process.exit(0);
});
const runtime = createRuntime({ store: counting.store, workflows: [workflow], owner: input.owner });
opened = performance.now();
await runtime.resume(input.runId);
