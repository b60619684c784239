import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

// Core's own tests inside workerd, the Durable Objects runtime: proof that core is runtime-agnostic.
// No `nodejs_compat` on purpose: a core file reaching for `node:*`, `process` or `Buffer` fails here.
// Tests that need Node itself are named `*.node.test.ts` and run only in the Node project.
export default defineProject({
  plugins: [
    cloudflareTest({
      miniflare: {
        // Not later than the workerd bundled with @cloudflare/vitest-plugin (1.20261102).
        compatibilityDate: '2026-11-01',
        compatibilityFlags: [],
      },
    }),
  ],
  test: {
    name: 'core (workerd)',
    include: ['src/**/*.test.ts'],
    exclude: ['src/**/*.node.test.ts'],
  },
});
