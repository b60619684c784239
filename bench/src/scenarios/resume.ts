/**
 * Scenario 3, resume: a run with N recorded steps is resumed by a fresh `node` process, which stops
 * at the first unexecuted step. Reported separately: the resume itself (measured in the child from
 * store opening and runtime creation to that step being reached) and the whole process (spawn →
 * exit, measured by the parent: Node boot, module loading, resume, exit). The memory store is
 * resumed in-process, for reference.
 */
import { join } from 'node:path';
import { createMemoryBacking, createMemoryStore, createRuntime, type DurableStore, type Runtime } from '@cairn/core';
import { createFileStore, createSqliteStore } from '@cairn/storage-node';
import { bytes, millis, ratio, verdict } from '../lib/format.ts';
import { runJsonChild } from '../lib/json-child.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { median } from '../lib/stats.ts';
import { tempDir } from '../lib/temp-dir.ts';
import { resumeWorkflow } from '../lib/workflows.ts';
import type { ResumeChildArguments, ResumeChildTimings } from './resume-child.ts';

const OWNER = 'bench-resume-owner';
const CHILD = join(import.meta.dirname, 'resume-child.ts');

/** Record `steps` steps in `store` and leave the run parked before its step `next`. */
async function prepareRun(store: DurableStore, steps: number): Promise<string> {
  let reached!: () => void;
  const atNext = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const workflow = resumeWorkflow(() => {
    reached();
    return new Promise<number>(() => {}); // parked: the runtime is closed while it waits
  });
  const runtime: Runtime = createRuntime({ store, workflows: [workflow], owner: OWNER });
  const handle = await runtime.start(workflow, { steps });
  await atNext;
  await runtime.close();
  return handle.runId;
}

async function runChild(args: ResumeChildArguments): Promise<{ processMs: number; timings: ResumeChildTimings }> {
  const { processMs, value } = await runJsonChild<ResumeChildTimings>(CHILD, args);
  return { processMs, timings: value };
}

/** In-process resume on the memory store: a new handle on the same backing, a new runtime. */
async function memoryResume(steps: number, repetitions: number): Promise<number> {
  const backing = createMemoryBacking();
  const runId = await prepareRun(createMemoryStore({ backing }), steps);
  const samples: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const started = performance.now();
    let runtime!: Runtime;
    const reached = new Promise<void>((resolve) => {
      const workflow = resumeWorkflow(() => {
        resolve();
        return new Promise<number>(() => {});
      });
      runtime = createRuntime({ store: createMemoryStore({ backing }), workflows: [workflow], owner: OWNER });
    });
    await runtime.resume(runId);
    await reached;
    samples.push(performance.now() - started);
    await runtime.close();
  }
  return median(samples);
}

interface ResumeRow {
  store: string;
  steps: number;
  repetitions: number;
  resumeMs: number;
  cpuMs: number;
  openMs: number;
  readMs: number;
  beforeReadMs: number;
  replayMs: number;
  bootMs: number;
  processMs: number;
  reads: string;
  heapHeldBytes: number;
  payloadBytes: number;
}

async function childResume(kind: 'sqlite' | 'file', steps: number, repetitions: number): Promise<ResumeRow> {
  const dir = tempDir(`resume-${kind}-${steps}`);
  const path = join(dir, kind === 'sqlite' ? 'cairn.db' : 'store');
  // Prepared with synchronous=NORMAL only to save time; the child opens it as users do (FULL).
  const store = kind === 'sqlite' ? createSqliteStore({ path, synchronous: 'normal' }) : createFileStore({ dir: path });
  const runId = await prepareRun(store, steps);
  await store.close();
  const results: Array<{ processMs: number; timings: ResumeChildTimings }> = [];
  await runChild({ kind, path, runId, owner: OWNER }); // warm-up: page cache, compile cache
  for (let repetition = 0; repetition < repetitions; repetition++)
    results.push(await runChild({ kind, path, runId, owner: OWNER }));
  const pick = (get: (result: (typeof results)[number]) => number): number => median(results.map(get));
  const last = results[results.length - 1]!.timings;
  return {
    store: kind === 'sqlite' ? 'SQLite (WAL, FULL)' : 'file',
    steps,
    repetitions,
    resumeMs: pick((r) => r.timings.resumeMs),
    cpuMs: pick((r) => r.timings.cpuMs),
    openMs: pick((r) => r.timings.openMs),
    readMs: pick((r) => r.timings.readMs),
    beforeReadMs: pick((r) => r.timings.beforeReadMs),
    replayMs: pick((r) => r.timings.replayMs),
    bootMs: pick((r) => r.timings.bootMs),
    processMs: pick((r) => r.processMs),
    reads: `${last.getRunCalls} getRun, ${last.readEntriesCalls} readEntries, ${last.writes} write`,
    heapHeldBytes: pick((r) => r.timings.heapHeldBytes),
    payloadBytes: last.payloadBytes,
  };
}

/** Issue 18's resume targets for 10 000 steps: SQLite < 50 ms, the file store < 100 ms. */
function resumeLimitMs(store: string): number {
  return store.startsWith('SQLite') ? 50 : 100;
}

/** Run scenario 3 and print its table. */
export async function resume(settings: BenchSettings, report: Report): Promise<void> {
  const rows: ResumeRow[] = [];
  for (const { steps, repetitions } of settings.resume) {
    rows.push({
      store: 'memory (in-process, reference)',
      steps,
      repetitions,
      resumeMs: await memoryResume(steps, repetitions),
      cpuMs: Number.NaN,
      openMs: Number.NaN,
      readMs: Number.NaN,
      beforeReadMs: Number.NaN,
      replayMs: Number.NaN,
      bootMs: Number.NaN,
      processMs: Number.NaN,
      reads: '',
      heapHeldBytes: Number.NaN,
      payloadBytes: Number.NaN,
    });
    for (const kind of ['sqlite', 'file'] as const) rows.push(await childResume(kind, steps, repetitions));
  }
  report.paragraph(
    'A run of N recorded `retry` steps is resumed by a fresh `node` process (spawned per repetition, after one ' +
      'warm-up spawn) and stops at its first unexecuted step. "resume" is measured inside the child: from opening the ' +
      'store and creating the runtime to that step being reached (load + replay); "CPU ms" the CPU time (user + system, ' +
      'all threads of the child, GC and compiler included) spent meanwhile, steadier than wall time on a loaded machine; "open" is the part spent opening the ' +
      'store and creating the runtime, "before the read" from there to the first `readEntries` call (reading the run\'s ' +
      'header and taking the lease, one durable write; the file store verifies the whole journal here, once per ' +
      'handle), "journal read" the time inside the store\'s `readEntries`, "replay" from the end of that read to the ' +
      'step reached (building the replay state and replaying every recorded step, cold JIT and GC included). "boot" is process start → the child script running (Node + module loading). ' +
      '"process" is spawn → exit, measured by the parent. "heap held" is the heap still in use at that step after a ' +
      'collection, less the heap before the store was opened; "journal payload" the UTF-8 bytes of the payloads ' +
      'loaded. Targets: 10 000 steps resumed in < 50 ms on SQLite and < 100 ms on the file store; heap held ≤ 2× ' +
      'the journal payload (replay keeps nothing it has consumed).',
  );
  for (const row of rows.filter((r) => r.steps === 10_000 && Number.isFinite(r.processMs))) {
    const limit = resumeLimitMs(row.store);
    report.budget({
      budget: `resume of 10 000 recorded steps, ${row.store} (fresh process, resume itself)`,
      target: `< ${limit} ms`,
      measured: `${millis(row.resumeMs)} ms (process ${millis(row.processMs)} ms)`,
      met: row.resumeMs < limit,
    });
    report.budget({
      budget: `heap held after resuming 10 000 steps, ${row.store}`,
      target: '≤ 2× journal payload',
      measured: `${bytes(row.heapHeldBytes)} (${ratio(row.heapHeldBytes / row.payloadBytes)} of ${bytes(row.payloadBytes)})`,
      met: row.heapHeldBytes <= 2 * row.payloadBytes,
    });
  }
  report.table({
    headers: [
      'store',
      'N steps',
      'reps',
      'resume ms',
      'CPU ms',
      'of which open ms',
      'of which before the read ms',
      'of which journal read ms',
      'of which replay ms',
      'boot ms',
      'process ms',
      'store calls',
      'heap held',
      'journal payload',
      'target (time)',
      'target (heap ≤ 2× payload)',
    ],
    rows: rows.map((row) => [
      row.store,
      String(row.steps),
      String(row.repetitions),
      millis(row.resumeMs),
      millis(row.cpuMs),
      millis(row.openMs),
      millis(row.beforeReadMs),
      millis(row.readMs),
      millis(row.replayMs),
      millis(row.bootMs),
      millis(row.processMs),
      row.reads,
      Number.isFinite(row.heapHeldBytes) ? bytes(row.heapHeldBytes) : 'n/a',
      Number.isFinite(row.payloadBytes) ? bytes(row.payloadBytes) : 'n/a',
      row.steps === 10_000 && Number.isFinite(row.processMs)
        ? verdict(row.resumeMs < resumeLimitMs(row.store), `${millis(row.resumeMs)} ms`)
        : '',
      Number.isFinite(row.heapHeldBytes)
        ? verdict(row.heapHeldBytes <= 2 * row.payloadBytes, ratio(row.heapHeldBytes / row.payloadBytes))
        : '',
    ]),
  });
}
