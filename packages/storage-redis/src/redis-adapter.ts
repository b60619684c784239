/**
 * The name every message of this package starts with, the payload limit's default and ceiling (the
 * rule itself is the adapter kit's), and the kit that words failures outside a store handle.
 */
import { createAdapterKit } from '@cairn/core/adapter';
import { describeRedisFailure } from './redis-errors.ts';

/** The prefix of every message of this package (DESIGN §7). */
export const ADAPTER = '@cairn/storage-redis';

/** Default `limits.maxPayloadBytes`: 64 MiB, as the Node stores. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Ceiling of `maxPayloadBytes`: a run hash may hold input, output and error under Redis' 512 MB bulk limit. */
export const MAX_PAYLOAD_BYTES_CEILING = 128 * 1024 * 1024;

/** Messages and failure mapping where no store handle exists yet (connecting). */
export const messages = createAdapterKit({
  adapter: ADAPTER,
  defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  describeFailure: describeRedisFailure,
});
