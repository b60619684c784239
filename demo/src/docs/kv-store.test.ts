// The toy store of docs/guide/storage-adapters.md: the guide shows this very file, and the file
// passes the whole conformance suite, the engine scenarios and the payload limits.
import { readFileSync } from 'node:fs';
import { defineStoreHarness, engineConformanceSuite, payloadLimitsSuite, storeConformanceSuite } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { createKvStore, type KeyValueMap } from './kv-store.ts';
import { extractSnippets } from './snippets.ts';

const GUIDE = new URL('../../../docs/guide/storage-adapters.md', import.meta.url);
const SOURCE = new URL('./kv-store.ts', import.meta.url);

describe('the adapter guide', () => {
  it('shows kv-store.ts verbatim, and it is under 150 lines', () => {
    const shown = extractSnippets(GUIDE.pathname).find((snippet) => snippet.file === 'kv-store.ts');
    const source = readFileSync(SOURCE, 'utf8');
    expect(shown, 'a ```ts block starting with // kv-store.ts').toBeDefined();
    expect(shown?.code).toBe(`${source}export {};\n`);
    expect(source.trimEnd().split('\n').length).toBeLessThan(150);
  });
});

const kvHarness = (name: string, maxPayloadBytes?: number) =>
  defineStoreHarness({
    name,
    create: (): KeyValueMap => new Map(),
    open: (kv) => createKvStore({ kv, maxPayloadBytes }),
  });

storeConformanceSuite(kvHarness('kv (guide)'));
engineConformanceSuite(kvHarness('kv (guide)'));
payloadLimitsSuite(kvHarness('kv (guide, 64 KiB limit)', 64 * 1024));
