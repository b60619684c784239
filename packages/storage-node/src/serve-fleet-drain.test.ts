// A fleet on a shared database: four processes serve one store while a fifth (this test) queues
// 1 000 runs without driving them; one server is SIGKILLed midway. Checked from the journals and
// the outside world (the ledger the `charge` step writes): every run completed exactly once, none
// lost, none driven by two at a time. One entry per store kind that several machines can share.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime, defineWorkflow } from '@cairn/core';
import { makeTempDir } from '@cairn/test-rigs/temp-dir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetChildren, holding, startWorker, type Worker, waitFor } from '../test/test-support/serve-workers.ts';
import { openKindStore, STORE_KINDS } from '../test/test-support/store-kinds.ts';

const temp = makeTempDir('serve-fleet-drain');
afterAll(() => {
  for (const child of fleetChildren) child.kill('SIGKILL');
  temp.remove();
});

const RUNS = 1000;
const FLEET_STORES = [STORE_KINDS.postgres, STORE_KINDS.redis];

describe.each(FLEET_STORES)('serve() fleet draining a $kind store', (storeKind) => {
  beforeAll(() => storeKind.setup(temp.path), 60_000);
  afterAll(() => storeKind.teardown());

  it(`4 serving processes, ${RUNS} runs queued un-driven by a fifth, one SIGKILLed midway: each run completed once, none lost, none driven by two at a time`, async () => {
    const location = storeKind.location('drain');
    const ledger = join(temp.path, `ledger-${storeKind.kind}.txt`);
    const leaseMs = 3000;
    const store = openKindStore(storeKind, location);
    const job = defineWorkflow('job', async (_ctx, n: number) => n);
    const producer = createRuntime({ store, workflows: [job], owner: 'producer' });
    const workers: Worker[] = await Promise.all(
      ['w0', 'w1', 'w2', 'w3'].map((name) => startWorker(storeKind.kind, location, ledger, name, leaseMs)),
    );
    const startedAt = Date.now();
    const runIds = Array.from({ length: RUNS }, (_, n) => `job-${String(n).padStart(4, '0')}`);
    for (let n = 0; n < RUNS; n += 25) {
      await Promise.all(runIds.slice(n, n + 25).map((runId, i) => producer.start(job, n + i, { drive: false, runId })));
    }
    const queuedMs = Date.now() - startedAt;
    const done = (): number => workers.reduce((sum, w) => sum + w.lines.filter((l) => l.event === 'done').length, 0);

    // Midway: SIGKILL w0 while it holds runs.
    await waitFor(() => done() >= RUNS / 4 && holding(workers[0]!).size > 0, 'w0 to hold runs a quarter of the way', 240_000);
    workers[0]!.child.kill('SIGKILL');
    const killedAt = Date.now();
    await workers[0]!.exited;
    // Read once its output has closed: every line w0 wrote before the kill is in. A run w0 took in
    // the store but died before printing "taken" is held all the same; its journal says so (the
    // lease-take checks below), and no line ever will.
    const killedHeld = holding(workers[0]!);
    const killedDone = new Set(workers[0]!.lines.filter((line) => line.event === 'done').map((line) => line.runId!));

    // Wait on the store, not on the servers' "done" lines: the killed server may have completed a
    // run in the store and died before printing its line, which no survivor will ever print.
    const deadline = Date.now() + 240_000;
    while ((await store.stats()).byStatus.completed < RUNS && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const drainedMs = Date.now() - startedAt;
    const stats = await store.stats();
    expect(
      stats,
      workers
        .map((w) => w.stderr())
        .join('\n')
        .slice(0, 2000),
    ).toMatchObject({ total: RUNS, byStatus: { completed: RUNS } });

    // The outside world: one charge per run, under one idempotency key.
    const charges = new Map<string, number>();
    for (const line of readFileSync(ledger, 'utf8').trim().split('\n')) {
      const runId = line.split(' ')[1]!;
      charges.set(runId, (charges.get(runId) ?? 0) + 1);
    }
    expect(charges.size).toBe(RUNS);
    expect([...charges.values()].every((count) => count === 1)).toBe(true);

    // The journals: dense, one run-end, one charge; each lease-take from the owner before it (a
    // queued run is taken without one), and a run taken from another owner only from the killed one.
    const takenOver: string[] = [];
    for (const runId of runIds) {
      const history = await producer.history(runId);
      expect(history.map((item) => item.seq)).toStrictEqual(history.map((_, i) => i + 1));
      expect(history.filter((item) => item.kind === 'run-end')).toHaveLength(1);
      expect(history.filter((item) => item.kind === 'step-end' && item.key.startsWith('charge'))).toHaveLength(1);
      const takes = history.filter((item) => item.kind === 'lease-take').map((item) => item.lease!);
      for (let i = 1; i < takes.length; i++) expect(takes[i]!.previousOwner, runId).toBe(takes[i - 1]!.owner);
      const fromOthers = takes.filter((take) => take.previousOwner !== null);
      if (fromOthers.length > 0) takenOver.push(runId);
      for (const take of fromOthers) expect(take.previousOwner, runId).toBe('w0');
    }
    // Nothing the killed server reported done was taken over; what was taken over it held (the
    // lease-take chain above: taken only from w0, whose own take came first).
    expect(takenOver.filter((runId) => killedDone.has(runId))).toStrictEqual([]);
    expect(takenOver.length, 'the killed server held runs that others took over').toBeGreaterThan(0);

    // The servers' own lines: a run taken by a survivor was never held by another at that time.
    for (const runId of runIds) {
      const spans = workers.flatMap((w) => {
        const taken = w.lines.filter((l) => l.event === 'taken' && l.runId === runId).map((l) => l.at!);
        const ended = w.lines.find((l) => l.event === 'done' && l.runId === runId)?.at ?? (w.name === 'w0' ? killedAt : Infinity);
        return taken.map((at) => ({ worker: w.name, from: at, to: ended }));
      });
      spans.sort((a, b) => a.from - b.from);
      for (let i = 1; i < spans.length; i++)
        expect(spans[i]!.from, `${runId} ${JSON.stringify(spans)}`).toBeGreaterThanOrEqual(spans[i - 1]!.to);
    }
    console.log(
      `[serve fleet drain, ${storeKind.kind}] ${RUNS} runs queued in ${queuedMs} ms, all ended after ${drainedMs} ms; w0 killed holding ${killedHeld.size} by its lines; taken over ${takenOver.length}; by worker: ${workers.map((w) => `${w.name} ${w.lines.filter((l) => l.event === 'done').length}`).join(', ')}`,
    );
    for (const worker of workers.slice(1)) worker.child.stdin?.write('stop\n');
    for (const worker of workers.slice(1)) expect(await worker.exited).toBe(0);
    await producer.close();
    await store.close();
  }, 400_000);
});
