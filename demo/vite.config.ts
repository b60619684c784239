import { defineConfig } from 'vite';

// The browser demo: `pnpm --filter @cairn/demo dev` serves it on 127.0.0.1 only.
export default defineConfig({
  root: import.meta.dirname,
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1' },
  // openai and zod are hundreds of small modules: bundle them once up front, so the first load is
  // fast and Vite never reloads a page to add a dependency it discovered late.
  optimizeDeps: { include: ['@cairn/core > openai', 'zod', '@cairn/storage-indexeddb > idb'] },
  build: { outDir: 'dist', target: 'es2023', emptyOutDir: true },
});
