/**
 * What both Node stores share: the name every message starts with, and the payload limit's
 * default and ceiling (the rule itself is the adapter kit's).
 */
import { type AdapterKit, type BackendFailure, createAdapterKit, resolveMaxPayloadBytes } from '@cairn/core/adapter';

/** The prefix of every error message of this package (DESIGN §7). */
export const ADAPTER = '@cairn/storage-node';

/** Default `limits.maxPayloadBytes` of both stores: 64 MiB per opaque string (ADR 0035). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/**
 * Ceiling of `maxPayloadBytes`. V8 strings stop near 2^29 UTF-16 units and SQLite rows at 1 GB, and a
 * run row may hold input, output and error at once: 256 MiB keeps every combination representable.
 */
export const MAX_PAYLOAD_BYTES_CEILING = 256 * 1024 * 1024;

/** Messages of checks shared by both stores (`[@cairn/storage-node] run "id": …`). */
export const messages = createAdapterKit({ adapter: ADAPTER, defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES });

/**
 * The adapter kit of one Node store handle: `[@cairn/storage-node] <label> …` messages, this
 * package's payload limit, and how its backend failures read.
 */
export function createNodeStoreKit(
  label: 'sqlite' | 'file',
  location: string,
  maxPayloadBytes: number | undefined,
  describeFailure: (error: unknown) => BackendFailure,
): AdapterKit {
  return createAdapterKit({
    adapter: ADAPTER,
    label,
    location: `${label === 'sqlite' ? 'database' : 'directory'} ${JSON.stringify(location)}`,
    maxPayloadBytes,
    defaultMaxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
    maxPayloadBytesCeiling: MAX_PAYLOAD_BYTES_CEILING,
    describeFailure,
  });
}

/** This package's `maxPayloadBytes` option resolved by the kit's one rule (default 64 MiB, ceiling 256 MiB). */
export function resolveNodeMaxPayloadBytes(value: number | undefined): number {
  return resolveMaxPayloadBytes(ADAPTER, value, DEFAULT_MAX_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES_CEILING);
}
