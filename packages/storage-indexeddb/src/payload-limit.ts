/**
 * The payload limit. Every opaque string (input, output, error, entry payload) is measured on its
 * own in UTF-8 bytes by the adapter kit (`@cairn/core/adapter`), before a transaction opens, so a
 * refused call writes nothing; the option follows the kit's rule (a positive integer).
 */
/**
 * The default limit: 32 MiB per string. Chromium, Firefox and Safari store a value of that size in
 * one record (the Chromium test suite writes one), and a run record can hold three of them.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
