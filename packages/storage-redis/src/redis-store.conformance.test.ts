// The storage conformance suite and the engine scenarios against a real redis-server (appendonly
// yes, appendfsync always): `peer` is a second connection on the same prefix, `reopen` a new one.
import { engineConformanceSuite, storeConformanceSuite } from '@cairn/core/testing';
import { inject } from 'vitest';
import { redisHarness } from '../test/redis-harness.ts';

const url = inject('redisUrl');

storeConformanceSuite(redisHarness('redis', url));
// A workflow interrupted at every write and inside every step, taken over on a reopened handle.
engineConformanceSuite(redisHarness('redis', url));
// Keys under a hostile prefix (braces, colons, a newline, glob characters), a ttl on ended runs, and
// a small limit, which exercises the size boundary with multi-byte text cheaply.
storeConformanceSuite(
  redisHarness('redis (prefix "a{b}:\\n*?[x]", ttl 1 h, 64 KiB limit)', url, {
    prefixStem: 'a{b}:\n*?[x]',
    ttl: 3600,
    maxPayloadBytes: 64 * 1024,
  }),
);
