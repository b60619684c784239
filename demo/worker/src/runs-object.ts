/**
 * The Durable Object that hosts the runs of one tenant: a run host over the object's SQLite store,
 * woken by the object's alarm. Three lines of wiring: the host, its RPC endpoint, its alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import { createRunHost, type RunHostEndpoint, type RunHostMethod } from '@cairn/storage-durable-objects';
import { followUp } from './follow-up-workflow.ts';
import { support } from './support-agent.ts';

export class Runs extends DurableObject<Env> implements RunHostEndpoint {
  readonly host = createRunHost({ ctx: this.ctx, workflows: [support, followUp] });

  cairnHostCall(method: RunHostMethod, args: unknown[]) {
    return this.host.serve(method, args);
  }

  override async alarm(): Promise<void> {
    await this.host.alarm();
  }
}
