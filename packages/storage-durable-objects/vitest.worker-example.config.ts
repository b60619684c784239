import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// The demo Worker (demo/worker) as a user deploys it: its own wrangler.jsonc, its HTTP API behind
// the bearer token, the run host in its Durable Object. The token is a test binding.
export default defineProject({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: '../../demo/worker/wrangler.jsonc' },
      miniflare: { bindings: { CAIRN_TOKEN: 'test-token' } },
    }),
  ],
  test: {
    name: 'durable-objects (worker example)',
    include: ['test/worker-example/**/*.test.ts'],
  },
});
