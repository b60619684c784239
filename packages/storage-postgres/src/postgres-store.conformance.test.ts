// The storage conformance suite and the engine scenarios against a real PostgreSQL server (fsync
// on): each store a fresh schema, `peer` a second pool on it, `reopen` a new store after close.
import { engineConformanceSuite, payloadLimitsSuite, storeConformanceSuite } from '@cairn/core/testing';
import { inject } from 'vitest';
import { postgresHarness } from '../test/postgres-harness.ts';

const url = inject('postgresUrl');

storeConformanceSuite(postgresHarness(url, 'postgres'));
engineConformanceSuite(postgresHarness(url, 'postgres'));
// A small limit exercises the size boundary cheaply (a custom prefix and schema: postgres-store.test.ts).
payloadLimitsSuite(postgresHarness(url, 'postgres (64 KiB limit)', { maxPayloadBytes: 64 * 1024 }));
