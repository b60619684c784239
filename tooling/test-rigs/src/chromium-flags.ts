/**
 * How every Chromium of this repo is launched: the browser the developer names, else Debian's
 * build, never a downloaded one; headless, with nothing that phones home, so tests behave the same
 * under CI=true with no display.
 */

/** Debian's `chromium` package (scripts/ensure-chromium.sh installs it in CI). */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The browser every test launches: `CAIRN_CHROMIUM` (any Chromium or Google Chrome binary), else Debian's. */
export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM || DEBIAN_CHROMIUM;

/** What to do when `CHROMIUM_PATH` is not there. */
export const CHROMIUM_MISSING = `${CHROMIUM_PATH} is missing: set CAIRN_CHROMIUM to a Chromium or Chrome binary, or run \`bash scripts/ensure-chromium.sh\` (Debian package chromium)`;

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
