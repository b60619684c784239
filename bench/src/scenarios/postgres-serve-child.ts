/**
 * One worker of the Postgres throughput scenario: `node postgres-serve-child.ts <url> <schema>`.
 * Opens the store, says `ready`, serves the step workflow on `go` and stops on `stop` (stdin).
 */
import { createRuntime } from '@cairn/core';
import { createPostgresStore } from '@cairn/storage-postgres';
import { stepsWorkflow } from '../lib/workflows.ts';

const [url = '', schema = ''] = process.argv.slice(2);
const store = createPostgresStore({ connectionString: url, schema, poolSize: 16 });
await store.stats();
const runtime = createRuntime({ store, workflows: [stepsWorkflow] });
console.log('ready');
let input = '';
process.stdin.on('data', async (chunk: Buffer) => {
  input += chunk.toString();
  if (input.includes('go\n')) {
    input = input.replace('go\n', '');
    runtime.serve({ concurrency: 32, pollMs: 20, onError: (error) => console.error(String(error)) });
  }
  if (input.includes('stop\n')) {
    await runtime.close();
    await store.close();
    process.exit(0);
  }
});
