/**
 * The Worker of the Durable Objects rows (bundled with esbuild, run by Miniflare's workerd): one
 * SQLite-backed object that runs the step workflow on Cairn's Durable Objects store, or the raw
 * baseline — one `transactionSync` INSERT per step of the same payloads — in the same object.
 *
 *   POST /setup   body: JSON array of captured appends ({ entry, patch }: what the engine writes per step)
 *   GET  /ours?steps=N | /alone?steps=N | /raw?steps=N | /loop?steps=N | /noop
 * `/alone` calls the store's `append` directly with the captured entry and patch (no engine).
 */

import { DurableObject } from 'cloudflare:workers';
import { createRuntime, type DurableStore, type Runtime } from '@cairn/core';
import { createDurableObjectStore } from '@cairn/storage-durable-objects';
import { type CapturedAppend, directRun } from '../lib/direct-run.ts';
import { plainLoop, stepsWorkflow } from '../lib/workflows.ts';

interface Env {
  BENCH: DurableObjectNamespace<BenchObject>;
}

/** The measured object. */
export class BenchObject extends DurableObject<Env> {
  private readonly store: DurableStore;
  private readonly runtime: Runtime;
  private appends: CapturedAppend[] = [];
  private seq = 0;
  private directRuns = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS raw_entries (id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, kind TEXT, key TEXT, payload TEXT, created_at INTEGER)',
    );
    this.store = createDurableObjectStore(ctx.storage);
    this.runtime = createRuntime({ store: this.store, workflows: [stepsWorkflow] });
  }

  private async raw(steps: number): Promise<void> {
    const { storage } = this.ctx;
    for (let index = 0; index < steps; index++) {
      const { entry } = this.appends[index % this.appends.length]!;
      const seq = ++this.seq;
      storage.transactionSync(() =>
        storage.sql.exec(
          'INSERT INTO raw_entries (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          'raw-run',
          seq,
          entry.kind,
          entry.key,
          entry.payload,
          entry.createdAt,
        ),
      );
      await undefined; // the same promise hop a step commit pays
    }
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const steps = Number(url.searchParams.get('steps') ?? 0);
    const started = performance.now();
    switch (url.pathname) {
      case '/setup':
        this.appends = (await request.json()) as CapturedAppend[];
        break;
      case '/alone':
        await directRun(this.store, `direct-${++this.directRuns}`, steps, this.appends);
        break;
      case '/ours':
        await (await this.runtime.start(stepsWorkflow, { steps })).result();
        break;
      case '/raw':
        await this.raw(steps);
        break;
      case '/loop':
        await plainLoop(steps);
        break;
    }
    return Response.json({ insideMs: performance.now() - started });
  }
}

/** Every request goes to the one benchmark object. */
export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return env.BENCH.getByName('bench').fetch(request);
  },
};
