/**
 * What every store handle of this package tells the adapter kit: the name every message starts
 * with, the payload limit's default and ceiling (the rule itself is the kit's), how failures read.
 */
import type { CreateAdapterKitOptions } from '@cairn/core/adapter';
import { describePostgresFailure } from './postgres-errors.ts';

/** The prefix of every error message of this package (DESIGN §7). */
export const ADAPTER = '@cairn/storage-postgres';

/** Default `limits.maxPayloadBytes`: 64 MiB per opaque string, as the Node stores. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** Ceiling of `maxPayloadBytes`: a bytea value stops at 1 GB, and a run may hold input, output and error at once. */
export const MAX_PAYLOAD_BYTES_CEILING = 256 * 1024 * 1024;

/** The kit options shared by every handle (a handle adds its location and the user's limit). */
export const KIT_OPTIONS = {
  adapter: ADAPTER,
  defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  maxPayloadBytesCeiling: MAX_PAYLOAD_BYTES_CEILING,
  describeFailure: describePostgresFailure,
} as const satisfies CreateAdapterKitOptions;
