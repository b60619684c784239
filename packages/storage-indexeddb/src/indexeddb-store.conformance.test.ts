// The storage conformance suite, in whichever project runs this file: happy-dom + fake-indexeddb,
// and real Chromium (see vitest.browser.config.ts), where a commit waits for a real disk flush.
import { engineConformanceSuite, storeConformanceSuite } from '@cairn/core/testing';
import { indexedDBHarness } from '../test/harness.ts';

const happyDom = navigator.userAgent.includes('HappyDOM');

const harness = happyDom
  ? indexedDBHarness('indexeddb (happy-dom)')
  : indexedDBHarness('indexeddb (chromium)', { timeoutMs: 60_000 });
storeConformanceSuite(harness);
// The engine scenarios: a workflow interrupted at every write and inside every step, taken over by a
// fresh runtime on a reopened connection to the same database.
engineConformanceSuite(harness);
