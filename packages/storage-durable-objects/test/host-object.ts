/**
 * The run host under test, set up the way the README tells users to, plus a witness: what it does
 * (runs started, resumed, paused and ended, alarms) is recorded in the ledger `host:<object id>`.
 */
import { DurableObject } from 'cloudflare:workers';
import type { RunHost, RunHostEndpoint, RunHostMethod } from '../src/index.ts';
import { createRunHost } from '../src/index.ts';
import { greeter, nap, refundAgent, twoKeys } from './host-fixtures.ts';
import { ledger } from './ledger-object.ts';

/** Lease of the test host: short, so a reset object's run is taken over within a second. */
export const TEST_LEASE_MS = 600;

/** The ledger of the host object `id`. */
export function hostLedger(id: DurableObjectId) {
  return ledger(`host:${id.toString()}`);
}

export class HostObject extends DurableObject implements RunHostEndpoint {
  readonly host: RunHost;
  readonly #witness: ReturnType<typeof hostLedger>;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    const witness = hostLedger(ctx.id);
    this.#witness = witness;
    this.host = createRunHost({
      ctx,
      workflows: [refundAgent('refund-agent'), refundAgent('refund-agent-approval', { approvalOver: 20 }), nap, greeter, twoKeys],
      leaseMs: TEST_LEASE_MS,
      onEvent: (event) => {
        const owner = this.host.runtime.owner;
        if (event.type === 'run-start') void witness.record(`start:${event.runId}:${owner}`);
        else if (event.type === 'run-resume') void witness.record(`resume:${event.runId}:${owner}`);
        else if (event.type === 'run-pause') void witness.record(`pause:${event.runId}:${event.reason}`);
        else if (event.type === 'run-end') void witness.record(`end:${event.runId}:${event.status}`);
      },
    });
  }

  cairnHostCall(method: RunHostMethod, args: unknown[]) {
    return this.host.serve(method, args);
  }

  override async alarm(): Promise<void> {
    const report = await this.host.alarm();
    await this.#witness.record(`alarm:${report.resumed.join(',')}`);
  }
}

/** A host that keeps completed runs 300 ms (retention), so a test can watch its alarm delete them. */
export class RetainingHostObject extends DurableObject implements RunHostEndpoint {
  readonly host: RunHost;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.host = createRunHost({ ctx, workflows: [greeter], leaseMs: TEST_LEASE_MS, retention: { completed: 300 } });
  }

  cairnHostCall(method: RunHostMethod, args: unknown[]) {
    return this.host.serve(method, args);
  }

  override async alarm(): Promise<void> {
    await this.host.alarm();
  }
}
