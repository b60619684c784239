import { defineConfig } from 'vitest/config';

// One Vitest project per runtime and package: each package keeps its configs beside its code
// (`vitest.config.ts` for Node, `vitest.<runtime>.config.ts` for happy-dom, Chromium, workerd).
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/*/vitest.*.config.ts',
      'demo/vitest*.config.ts',
      'tooling/*/vitest.config.ts',
    ],
    // The JSON report feeds scripts/test-summary.mjs, which prints the closing `N passed, N failed`.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
