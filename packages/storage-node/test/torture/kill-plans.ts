/**
 * Where the parent kills a child. Every plan is drawn from the seeded sequence; what it hits
 * depends on timing, which is the point. The modes, and why each exists:
 * - `timed`: at a uniform moment of the child's expected working time (anywhere at all);
 * - `startup`: within 15 ms of `ready`, while it lists, takes over and replays runs;
 * - `commit-loop`: at a random sub-millisecond offset after the child enters the workload's tight
 *   loop of one-commit steps, so kills land inside commits (WAL frame written, fsync pending…);
 * - `step-start`: right after a `once` step starts (intent durable, side effect in progress): the
 *   outcome-unknown path with each policy;
 * - `step-end`: right after a step's result was committed (the next step not started).
 */
import type { ChildProcess } from 'node:child_process';
import type { SeededRandom } from '@cairn/test-rigs/seeded-random';
import type { KillTrigger } from './torture-child.ts';
import type { TortureProcess } from './torture-process.ts';

/** The kill modes. */
export const KILL_MODES = ['timed', 'startup', 'commit-loop', 'step-start', 'step-end'] as const;

/** One of `KILL_MODES`. */
export type KillMode = (typeof KILL_MODES)[number];

/** A drawn plan: the trigger the child watches for (if any) and when to kill after it. */
export interface KillPlan {
  mode: KillMode;
  trigger?: KillTrigger;
  /** After `ready` (timed, startup). */
  delayMs?: number;
  /** After the trigger, busy-wait this many microseconds (sub-millisecond precision). */
  spinMicros?: number;
}

const WEIGHTS: Record<KillMode, number> = { timed: 30, startup: 10, 'commit-loop': 25, 'step-start': 25, 'step-end': 10 };
const ONCE_STEPS = ['charge#', 'notify#', 'audit#', 'tool:record#'];

function drawMode(random: SeededRandom): KillMode {
  let ticket = random.next() * KILL_MODES.reduce((sum, mode) => sum + WEIGHTS[mode], 0);
  for (const mode of KILL_MODES) {
    ticket -= WEIGHTS[mode];
    if (ticket < 0) return mode;
  }
  return 'timed';
}

/** Draw a plan; `workMs` is how long a child of this slot usually works after `ready`. */
export function drawKillPlan(random: SeededRandom, workMs: number): KillPlan {
  const mode = drawMode(random);
  switch (mode) {
    case 'timed':
      return { mode, delayMs: random.next() * Math.max(5, workMs * 1.2) };
    case 'startup':
      return { mode, delayMs: random.next() * 15 };
    case 'commit-loop':
      return {
        mode,
        trigger: { event: 'step-start', prefixes: ['tick#'], nth: random.between(0, 12) },
        spinMicros: random.between(0, 1500),
      };
    case 'step-start':
      return {
        mode,
        trigger: { event: 'step-start', prefixes: ONCE_STEPS, nth: random.between(0, 3) },
        spinMicros: random.next() < 0.5 ? 0 : random.between(0, 400),
      };
    case 'step-end':
      return { mode, trigger: { event: 'step-end', prefixes: [], nth: random.between(0, 30) } };
  }
}

/** Busy-wait `micros` µs: timers cannot place a kill at a sub-millisecond offset. */
function spin(micros: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.round(micros * 1000));
  while (process.hrtime.bigint() < until) {
    // spinning on purpose
  }
}

/** Arm `plan` on a running child (its trigger was passed in its arguments). */
export function armKillPlan(plan: KillPlan, child: TortureProcess): void {
  if (plan.trigger) {
    child.onTrigger(() => {
      spin(plan.spinMicros ?? 0);
      child.kill();
    });
    return;
  }
  void child.ready.then(() => {
    const timer = setTimeout(() => child.kill(), plan.delayMs ?? 0);
    const clear = () => clearTimeout(timer);
    child.exit.then(clear, clear);
  });
}

/** Kill every child still alive (teardown). */
export function killAll(children: Set<ChildProcess>): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
