#!/bin/sh
# Runs one of the root package.json scripts on Node 24 with pnpm, whatever Node the machine has.
# The first run installs Node (the npm registry's `node` package, a real binary) and pnpm into .tools/
# with the machine's own npm, then installs the workspace. Later runs reuse both.
# Usage: sh scripts/run.sh <root-script> [args...]
set -eu
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.9
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
bin="$tools/node_modules/.bin"

if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ] || [ ! -x "$bin/pnpm" ] \
  || [ "$("$bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "keypool: installing Node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/ (first run only)" >&2
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || printf '{ "private": true }\n' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
fi

# The Redis store's tests need a real redis-server (or REDIS_URL). npm has no package with the binary, so on a
# Debian/Ubuntu machine where we are root, install it from the distribution; elsewhere, say what is missing.
if [ "${1:-}" = "test:all" ] && [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "keypool: installing redis-server from Debian's packages (needed by @keypool/redis tests)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "keypool: redis-server not found and REDIS_URL not set: the @keypool/redis tests will fail." >&2
    echo "keypool: install it (apt-get install redis-server / brew install redis) or set REDIS_URL." >&2
  fi
fi

PATH="$bin:$PATH"
export PATH
cd "$root"
pnpm install --frozen-lockfile --prefer-offline --reporter=append-only --loglevel=warn >&2
exec pnpm run --silent "$@"
