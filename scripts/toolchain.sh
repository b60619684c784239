# Sourced by the project scripts: puts Node >= 22.13 and pnpm 10 first on PATH.
# When the machine's Node is older (CI has Node 20), a repo-local toolchain is installed from the npm
# registry into .tools/ (git-ignored): `npm i --prefix .tools node@24 pnpm@10`.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$repo_root/.tools/node_modules/.bin:$PATH"
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=13)?0:1)'
}
if ! node_ok || ! command -v pnpm >/dev/null 2>&1; then
  echo "[cairn] installing Node 24 and pnpm 10 into .tools/ (machine has node $(node --version 2>/dev/null || echo none))"
  npm i --prefix "$repo_root/.tools" --no-audit --no-fund --loglevel=error node@24 pnpm@10 >/dev/null
  hash -r
fi
node_ok || { echo "[cairn] could not get Node >= 22.13" >&2; exit 1; }
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
