// The storage conformance suite, in whichever project runs this file: happy-dom + fake-indexeddb,
// and real Chromium (see vitest.browser.config.ts), where a commit waits for a real disk flush.
import { storeConformanceSuite } from '@cairn/core/testing';
import { indexedDBHarness } from '../test/harness.ts';

const happyDom = navigator.userAgent.includes('HappyDOM');

storeConformanceSuite(
  happyDom ? indexedDBHarness('indexeddb (happy-dom)') : indexedDBHarness('indexeddb (chromium)', { timeoutMs: 60_000 }),
);
