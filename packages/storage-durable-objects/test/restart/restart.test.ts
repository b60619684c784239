/**
 * A run survives its whole runtime going away: workerd (Miniflare) persisting to a folder is
 * disposed mid-step, a new one is started over the same folder, and the run completes by the
 * pending alarm alone — the test sends the new runtime no request until the run has ended.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { bundleWorker } from '../bundle-worker.ts';

let workDir: string;
let bundle: string;
const running: Miniflare[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cairn-restart-'));
  bundle = join(workDir, 'worker.mjs');
  await bundleWorker(new URL('./restart-worker.ts', import.meta.url), bundle);
});

afterEach(async () => {
  // Every workerd this test started is stopped, whatever happened.
  await Promise.allSettled(running.splice(0).map((mf) => mf.dispose()));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** A Miniflare over `bundle` persisting to `persistDir`; `events` collects what the Worker reports. */
function startRuntime(persistDir: string, events: string[]): Miniflare {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      resourcePersistencePath: persistDir,
      workers: [
        {
          name: 'restart',
          modules: true,
          modulesRoot: workDir,
          scriptPath: bundle,
          compatibilityDate: '2026-11-01',
          durableObjects: { RUNS: { className: 'RestartRuns', useSQLite: true } },
          serviceBindings: {
            REPORT: (request: Request) => {
              const event = decodeURIComponent(new URL(request.url).pathname.slice(1));
              events.push(event);
              return Response.json({ count: events.filter((e) => e === event).length });
            },
          },
        },
      ],
    }),
  );
  running.push(mf);
  return mf;
}

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('completes a run after workerd is disposed mid-step and restarted over the same folder, with no request', async () => {
  const persistDir = join(workDir, 'state');
  const events: string[] = [];
  const runId = `restart_${Date.now()}`;
  const first = startRuntime(persistDir, events);
  const started = await first.dispatchFetch('http://127.0.0.1/runs', {
    method: 'POST',
    body: JSON.stringify({ workflow: 'slow-steps', input: null, runId }),
  });
  expect(started.status).toBe(201);
  await until('step b to start', () => events.includes('b:start'), 15_000);
  await first.dispose();
  expect(events).toEqual(['a', 'b:start']);

  const second = startRuntime(persistDir, events);
  await second.ready;
  await until('the run to end', () => events.some((event) => event.startsWith(`end:${runId}:`)), 20_000);

  const afterRestart = events.slice(2);
  expect(afterRestart[0]).toBe('alarm');
  expect(afterRestart).toContain(`resume:${runId}`);
  expect(afterRestart).toContain(`end:${runId}:completed`);
  // Step a completed before the restart and is never run again; b ran again (it never completed); c once.
  expect(events.filter((event) => /^(a|b:start|b:end|c)$/.test(event))).toEqual(['a', 'b:start', 'b:start', 'b:end', 'c']);

  const info = (await (await second.dispatchFetch(`http://127.0.0.1/runs/${runId}`)).json()) as Record<string, unknown>;
  expect(info).toMatchObject({ status: 'completed', output: 6 });
  const { items: history } = (await (await second.dispatchFetch(`http://127.0.0.1/runs/${runId}/history`)).json()) as {
    items: Array<{ kind: string; key: string }>;
  };
  expect(history.filter((item) => item.kind === 'step-end').map((item) => item.key)).toEqual(['a#0', 'b#0', 'c#0']);
  expect(history.some((item) => item.kind === 'sleep-start')).toBe(true);
});
