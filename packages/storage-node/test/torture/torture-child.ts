/**
 * A torture child process: `node torture-child.(ts|mjs) '<ChildArgs JSON>'`. It opens the store,
 * builds a runtime over the workload, and then, by mode:
 * - `slot`: resumes its slot's runs (`resumeAll`), starts the ones that do not exist yet, and waits
 *   until all of them completed. Its runtime holds a per-slot run lock: the parent runs at most one
 *   process per slot at a time, so the lock proves no live process drives the slot's runs and a
 *   dead process's lease need not run out first (immediate takeover, ADR 0091);
 * - `park`: starts its runs and exits once each has paused (or completed);
 * - `resume-all`: calls `resumeAll()` (after a `go` on stdin, so racing processes start together)
 *   until no run of the store is running or paused, and reports what it resumed and completed.
 *
 * stdout protocol, one line each, written synchronously so the parent sees it before the next step:
 * `ready`, `K` (the kill trigger fired), `C <runId>` (run completed), `done <json>`.
 */
import { writeSync } from 'node:fs';
import { createRuntime, type DurableStore, type RunEvent, type RunLocks } from '@cairn/core';
import { createRedisStore } from '@cairn/storage-redis';
import { createFileStore } from '../../src/file/file-store.ts';
import { redisSpecOptions } from '../../src/remote-store.ts';
import { createSqliteStore } from '../../src/sqlite/sqlite-store.ts';
import { createRecorder, type SideEffectPaths } from './side-effect-files.ts';
import { createAgentWorkflow } from './workload-agent.ts';
import { inputOf, type RunSpec, slotOf } from './workload-specs.ts';
import { createStepsWorkflow } from './workload-steps.ts';

/** When the child says `K`: at the `nth` matching event. */
export interface KillTrigger {
  event: 'step-start' | 'step-end';
  /** Only steps whose id starts with one of these (all steps if empty). */
  prefixes: string[];
  nth: number;
}

/** What the parent passes a child. */
export interface ChildArgs {
  mode: 'slot' | 'park' | 'resume-all';
  store: 'sqlite' | 'file' | 'redis';
  location: string;
  files: SideEffectPaths;
  proc: number;
  slot: number;
  runs: RunSpec[];
  leaseMs: number;
  trigger?: KillTrigger;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const say = (line: string): void => {
  writeSync(1, `${line}\n`);
};

const store: DurableStore =
  args.store === 'redis'
    ? await createRedisStore(redisSpecOptions(args.location))
    : args.store === 'sqlite'
      ? createSqliteStore({ path: args.location, busyTimeoutMs: 10_000 })
      : createFileStore({ dir: args.location, lockTimeoutMs: 20_000 });
const recorder = createRecorder(args.files, args.proc);

const trigger = args.trigger;
let matched = 0;
// Runs this process completed: the run-end events its own runtime wrote.
const completedHere: string[] = [];
function onEvent(event: RunEvent): void {
  if (event.type === 'run-end' && event.status === 'completed') completedHere.push(event.runId);
  if (event.type === 'step-end') recorder.end(event.runId, event.stepId, 'step-end');
  else if (event.type === 'step-fail' && !event.replayed) recorder.end(event.runId, event.stepId, 'step-fail');
  else if (event.type === 'step-unknown') recorder.unknown(event.runId, event.stepId, event.policy);
  if (!trigger || event.type !== trigger.event) return;
  if (event.type === 'step-end' && event.replayed) return;
  const stepId = (event as { stepId: string }).stepId;
  if (trigger.prefixes.length > 0 && !trigger.prefixes.some((prefix) => stepId.startsWith(prefix))) return;
  if (matched++ === trigger.nth) say('K');
}

// Only this slot's runs: the parent never runs two processes of one slot at once.
const slotLocks: RunLocks = {
  tryAcquire: async (runId) => (slotOf(runId) === args.slot ? { release() {} } : null),
};

const runtime = createRuntime({
  store,
  workflows: [createStepsWorkflow(recorder), createAgentWorkflow(recorder)],
  owner: `torture-proc-${args.proc}`,
  leaseMs: args.leaseMs,
  pollMs: 20,
  onEvent,
  // A parking child leaves its runs asleep: under load, waking a run whose sleep ran out while the
  // child was still starting the others left fewer than all of them parked (a flake of the resume test).
  autoWake: args.mode !== 'park',
  ...(args.mode === 'slot' ? { locks: slotLocks } : {}),
});

async function startMissing(): Promise<void> {
  for (const spec of args.runs) {
    if (await store.getRun(spec.runId)) continue;
    await runtime.start(spec.workflow, inputOf(spec), { runId: spec.runId });
  }
}

async function slot(): Promise<object> {
  const { resumed } = await runtime.resumeAll();
  await startMissing();
  await Promise.all(
    args.runs.map(async (spec) => {
      await runtime.handle(spec.runId).result();
      say(`C ${spec.runId}`);
    }),
  );
  return { resumed: resumed.length };
}

async function park(): Promise<object> {
  await startMissing();
  const infos = await Promise.all(args.runs.map((spec) => runtime.handle(spec.runId).settled()));
  return { statuses: infos.map((info) => info.status) };
}

async function waitForGo(): Promise<void> {
  for await (const chunk of process.stdin) if (String(chunk).includes('go')) return;
}

async function resumeAll(): Promise<object> {
  await waitForGo();
  const resumed = new Set<string>();
  const deadline = Date.now() + 60_000;
  for (let round = 0; ; round++) {
    const result = await runtime.resumeAll();
    for (const runId of result.resumed) resumed.add(runId);
    if (result.failed.length > 0) throw new Error(`resumeAll failed on ${result.failed.map((f) => f.runId).join(', ')}`);
    await Promise.all(result.resumed.map((runId) => runtime.handle(runId).settled()));
    const open = await store.listRuns({ status: ['running', 'paused'], limit: 1 });
    if (open.runs.length === 0) return { resumed: [...resumed], rounds: round + 1 };
    if (Date.now() > deadline) throw new Error(`runs still open after 60 s: ${open.runs[0]?.runId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

say('ready');
let code = 0;
try {
  const result = args.mode === 'slot' ? await slot() : args.mode === 'park' ? await park() : await resumeAll();
  say(`done ${JSON.stringify({ ...result, completedHere })}`);
} catch (error) {
  code = 1;
  say(`error ${JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })}`);
} finally {
  await runtime.close();
  await store.close();
  recorder.close();
}
process.exit(code);
