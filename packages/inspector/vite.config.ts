import { defineConfig } from 'vite';

// The page `cairn ui` serves: plain DOM and TypeScript (ADR 0081), built into ui-dist/ and shipped in
// the package, so the CLI serves it with no build step and no install of its own (ADR 0175).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: {
    outDir: 'ui-dist',
    target: 'es2023',
    emptyOutDir: true,
    // No inline scripts or styles: the page's CSP allows only files of its own origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
