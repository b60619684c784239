/**
 * Size limits of the Durable Object SQLite backend and the constants the store derives from them.
 * Production limits (developers.cloudflare.com/durable-objects/platform/limits/): a string, BLOB or
 * table row is at most 2 MB, a statement 100 KB, at most 100 bound parameters per query, 10 GB per
 * object. Local workerd does not enforce the 2 MB limit, so the store must never rely on it failing:
 * every row it writes stays under it by construction (see ADR 0050).
 *
 * A JavaScript string of `n` UTF-16 code units is at most `3n` UTF-8 bytes, so limits on code units
 * bound the bytes without encoding anything.
 */

/** The platform's per-value and per-row limit, in bytes (decimal, as Cloudflare counts). */
export const PLATFORM_ROW_BYTES = 2_000_000;

/** Code units per chunk row: at most 1 572 864 bytes of text plus a small key, under 2 MB. */
export const CHUNK_UNITS = 512 * 1024;

/** A journal payload up to this many code units is kept in the entry row itself. */
export const ENTRY_INLINE_UNITS = 512 * 1024;

/**
 * A run field (header, input, output, error) up to this many code units (3 KiB at most) is kept in
 * the run row; longer ones live in chunks. SQLite rewrites a whole row on every update, and every
 * append updates the run row: keeping it small keeps the bytes written per step O(1), whatever the
 * size of the run's input or output.
 */
export const RUN_INLINE_UNITS = 1024;

/** Longest workflow name and journal entry key, in code units (they are indexed or keyed columns). */
export const MAX_NAME_UNITS = 1024;

/** Largest payload accepted by default, in UTF-8 bytes: well under the 32 MiB Workers RPC message limit. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/** Ids per statement when a list of run ids is bound as one JSON text (stays far under 2 MB). */
export const IDS_PER_STATEMENT = 5000;
