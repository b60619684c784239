/**
 * The name every message of this package starts with, and the payload limit's default and ceiling
 * (the rule itself is the adapter kit's).
 */

/** The prefix of every error message of this package (DESIGN §7). */
export const ADAPTER = '@cairn/storage-postgres';

/** Default `limits.maxPayloadBytes`: 64 MiB per opaque string, as the Node stores. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** Ceiling of `maxPayloadBytes`: a bytea value stops at 1 GB, and a run may hold input, output and error at once. */
export const MAX_PAYLOAD_BYTES_CEILING = 256 * 1024 * 1024;
