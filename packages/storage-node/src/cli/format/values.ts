/**
 * How values read on a terminal: times (ISO, UTC, to the second), ages, durations, token counts,
 * and one-line previews of JSON values.
 */

/** `2025-06-01T14:03:22Z`. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `850 ms`, `1.2 s`, `3m 20s`, `2h 5m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** `12s ago`, `3m ago`, `in 5m` — coarse, for columns. */
export function formatAge(ms: number, now: number): string {
  const delta = now - ms;
  const abs = Math.abs(delta);
  const text =
    abs < 60_000
      ? `${Math.floor(abs / 1000)}s`
      : abs < 3_600_000
        ? `${Math.floor(abs / 60_000)}m`
        : abs < 86_400_000
          ? `${Math.floor(abs / 3_600_000)}h`
          : `${Math.floor(abs / 86_400_000)}d`;
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** `2025-06-01T14:03:22Z (3m ago)`. */
export function formatTimeAndAge(ms: number, now: number): string {
  return `${formatTime(ms)} (${formatAge(ms, now)})`;
}

/** `12,345`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A value on one line: strings as they are, anything else as JSON; cut to `max` characters. */
export function preview(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
