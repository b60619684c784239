#!/usr/bin/env bash
# Real-Chromium tests run the browser named by CAIRN_CHROMIUM (any Chromium or Google Chrome binary),
# else Debian's /usr/bin/chromium, which CI (root, Debian) installs here. Never downloads a browser build.
set -euo pipefail
if [ -n "${CAIRN_CHROMIUM:-}" ]; then
  if [ -x "$CAIRN_CHROMIUM" ] && [ -f "$CAIRN_CHROMIUM" ]; then exit 0; fi
  echo "[cairn] CAIRN_CHROMIUM=$CAIRN_CHROMIUM is not an executable file: point it at a Chromium or Chrome binary" >&2
  exit 1
fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<'TEXT'
[cairn] The browser tests need Chromium or Google Chrome, and found neither CAIRN_CHROMIUM nor /usr/bin/chromium.
  Either point CAIRN_CHROMIUM at a browser binary, for example on macOS:
    CAIRN_CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" bash scripts/run.sh test
  or install Debian's package (Debian, Ubuntu): sudo apt-get install -y chromium
TEXT
  exit 1
fi
echo "[cairn] installing Debian chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
