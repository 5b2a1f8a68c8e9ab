#!/bin/sh
# Builds @keypool/core as it was at a git ref (default: the commit before the engine split) into bench/.baseline,
# so the benchmarks can compare the engine before and after in one run on one machine.
set -eu
ref=${1:-d0084b7}
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)
out="$here/.baseline"
if [ -f "$out/dist/index.js" ] && [ "$(cat "$out/ref" 2>/dev/null)" = "$ref" ]; then exit 0; fi
rm -rf "$out" && mkdir -p "$out"
git -C "$root" archive "$ref" packages/core/src | tar -x -C "$out" --strip-components=2
printf '{ "name": "keypool-core-baseline", "private": true, "type": "module" }\n' > "$out/package.json"
(cd "$out" && pnpm exec tsdown src/index.ts --out-dir dist --format esm --platform neutral --no-dts --log-level warn)
echo "$ref" > "$out/ref"
