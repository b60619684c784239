/**
 * What every store handle of this package tells the adapter kit: the name every message starts
 * with, the payload limit's default and ceiling (the rule itself is the kit's), how failures read;
 * and the kit that words failures outside a store handle.
 */
import { type CreateAdapterKitOptions, createAdapterKit } from '@cairn/core/adapter';
import { describeRedisFailure } from './redis-errors.ts';

/** The prefix of every message of this package (DESIGN §7). */
export const ADAPTER = '@cairn/storage-redis';

/** Default `limits.maxPayloadBytes`: 64 MiB, as the Node stores. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Ceiling of `maxPayloadBytes`: a run hash may hold input, output and error under Redis' 512 MB bulk limit. */
export const MAX_PAYLOAD_BYTES_CEILING = 128 * 1024 * 1024;

/** The kit options shared by every handle (a handle adds its location and the user's limit). */
export const KIT_OPTIONS = {
  adapter: ADAPTER,
  defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  maxPayloadBytesCeiling: MAX_PAYLOAD_BYTES_CEILING,
  describeFailure: describeRedisFailure,
} as const satisfies CreateAdapterKitOptions;

/** Messages and failure mapping where no store handle exists yet (connecting). */
export const messages = createAdapterKit(KIT_OPTIONS);
