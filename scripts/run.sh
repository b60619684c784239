#!/usr/bin/env bash
# The two README commands:
#   bash scripts/run.sh demo   install everything, then run the Node demo (crash + resume)
#   bash scripts/run.sh test   install everything (and Chromium), then run every test
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
what="${1:-}"; shift || true
install_deps() { pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -v '^Progress' | tail -5; }
case "$what" in
  demo)
    install_deps
    pnpm demo "$@"
    ;;
  test)
    install_deps
    bash scripts/ensure-chromium.sh
    bash scripts/ensure-databases.sh
    mkdir -p .tmp
    rm -f .tmp/vitest-report.json
    status=0
    pnpm exec vitest run "$@" || status=$?
    node scripts/test-summary.mjs .tmp/vitest-report.json || status=1
    exit $status
    ;;
  *)
    echo "usage: bash scripts/run.sh demo|test [args…]" >&2
    exit 2
    ;;
esac
