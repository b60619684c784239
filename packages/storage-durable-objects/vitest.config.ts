import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.test.jsonc' } })],
  test: {
    name: 'durable-objects (workerd)',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Their own projects: the demo Worker (vitest.worker-example.config.ts), Miniflare restarts and the
    // Chromium → workerd portable run (vitest.miniflare.config.ts).
    exclude: ['test/worker-example/**', 'test/restart/**', 'test/portable/**'],
  },
});
