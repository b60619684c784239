/**
 * DBOS Transact on the same server, for scenario 5: a workflow of N sequential `DBOS.runStep`
 * calls of the same trivial function (DBOS checkpoints each step's result in its system database).
 * A dev dependency of the bench only; when it cannot launch, the scenario says why.
 */
import { packageVersion } from '../lib/packages.ts';
import type { Variant } from '../lib/variants.ts';
import { trivialStep } from '../lib/workflows.ts';

/** The DBOS variant, or why there is none; `shutdown` stops DBOS either way. */
export async function dbosVariant(
  url: string,
): Promise<{ variant?: Variant; version?: string; reason?: string; shutdown(): Promise<void> }> {
  try {
    const { DBOS } = await import('@dbos-inc/dbos-sdk');
    const version = packageVersion('@dbos-inc/dbos-sdk');
    DBOS.setConfig({ name: 'cairn-bench', systemDatabaseUrl: url });
    const steps = DBOS.registerWorkflow(
      async (count: number) => {
        let sum = 0;
        for (let index = 0; index < count; index++) sum += await DBOS.runStep(async () => trivialStep(index), { name: 's' });
        return sum;
      },
      { name: 'bench-steps' },
    );
    await DBOS.launch();
    return {
      version,
      variant: {
        name: 'dbos',
        run: async (count) => (await DBOS.startWorkflow(steps)(count)).getResult(),
        close: async () => undefined,
      },
      shutdown: () => DBOS.shutdown(),
    };
  } catch (error) {
    return { reason: (error as Error).message.slice(0, 200), shutdown: async () => undefined };
  }
}
