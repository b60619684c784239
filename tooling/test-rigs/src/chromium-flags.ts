/**
 * How every Chromium of this repo is launched: Debian's build, never a downloaded one, headless,
 * with nothing that phones home, so tests behave the same under CI=true with no display.
 */

/** Debian's `chromium` package (scripts/ensure-chromium.sh installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for every launch (Playwright adds a fresh temporary profile itself). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
