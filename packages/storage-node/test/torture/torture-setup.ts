/**
 * What every torture scenario needs before it kills anything: where a store and its side files
 * live, a spawner that numbers child processes, and the uninterrupted baseline of every variant.
 */
import type { ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import type { SideEffectPaths } from './side-effect-files.ts';
import type { ChildArgs } from './torture-child.ts';
import { spawnTortureChild, type TortureProcess } from './torture-process.ts';
import type { TortureStoreKind } from './torture-report.ts';
import type { VerifyTarget } from './verify-torture.ts';
import { AGENT_WORKFLOW, type RunSpec, STEPS_WORKFLOW, slotRunId, VARIANTS } from './workload-specs.ts';

/** A store location and its side files. */
export interface Place {
  location: string;
  files: SideEffectPaths;
}

/**
 * The store `name` of `kind` in `dir`, with its side files beside it. A Redis store is a key
 * prefix named after `dir` and `name` on the server at `redisUrl`.
 */
export function placeIn(dir: string, name: string, kind: TortureStoreKind, redisUrl?: string): Place {
  const prefix = encodeURIComponent(`torture:${basename(dir)}:${name}:`);
  return {
    location: kind === 'redis' ? `${redisUrl}/0?prefix=${prefix}` : join(dir, kind === 'sqlite' ? `${name}.db` : name),
    files: { execLog: join(dir, `${name}.exec.log`), ledger: join(dir, `${name}.ledger`), outbox: join(dir, `${name}.outbox`) },
  };
}

/** Spawns children of one store kind, numbering them (`proc`) in spawn order. */
export interface Spawner {
  spawn(args: Omit<ChildArgs, 'proc' | 'store' | 'leaseMs'> & { leaseMs?: number }): TortureProcess;
  readonly spawned: number;
}

/** A spawner for `script` (see `bundleTortureChild`). */
export function createSpawner(options: {
  script: string;
  kind: TortureStoreKind;
  cacheDir: string;
  registry: Set<ChildProcess>;
  timeoutMs?: number;
}): Spawner {
  let spawned = 0;
  return {
    spawn: (args) =>
      spawnTortureChild(
        options.script,
        { leaseMs: 5000, ...args, proc: ++spawned, store: options.kind },
        { cacheDir: options.cacheDir, timeoutMs: options.timeoutMs ?? 90_000, registry: options.registry },
      ),
    get spawned() {
      return spawned;
    },
  };
}

/**
 * Run every variant of both workflows once, never killed, in `<dir>/baseline*`: the outputs and
 * step sets every tortured run must end with. Also returns how long the child worked.
 */
export async function runBaseline(
  spawner: Spawner,
  dir: string,
  kind: TortureStoreKind,
  redisUrl?: string,
): Promise<{ base: VerifyTarget; workMs: number }> {
  const place = placeIn(dir, 'baseline', kind, redisUrl);
  const specs = ([STEPS_WORKFLOW, AGENT_WORKFLOW] as const).flatMap((workflow, w) =>
    Array.from(
      { length: VARIANTS },
      (_, variant): RunSpec => ({ runId: slotRunId(0, w * VARIANTS + variant), workflow, variant }),
    ),
  );
  const child = spawner.spawn({ mode: 'slot', slot: 0, runs: specs, ...place });
  await child.ready;
  const started = performance.now();
  const exit = await child.exit;
  if (exit.code !== 0) throw new Error(`baseline child failed: ${exit.error ?? exit.stderr}`);
  return { base: { ...place, specs }, workMs: performance.now() - started };
}
