#!/usr/bin/env bash
# `npm run example`: installs the pinned OPA if missing, builds the package, then checks, compiles
# and evaluates the example grants file, and runs the two-tenant demo on the embedded database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-opa.sh
npm run build

example=examples/video-saas
rolecall() { node dist/cli/main.js "$@"; }

echo "== rolecall check $example/rolecall.yaml"
rolecall check "$example/rolecall.yaml"
echo "== rolecall compile $example/rolecall.yaml -o $example/out"
rolecall compile "$example/rolecall.yaml" -o "$example/out"
echo "== rolecall eval $example/out --input $example/decisions.json --format table"
rolecall eval "$example/out" --input "$example/decisions.json" --format table
echo "== rolecall test $example/rolecall.test.yaml"
rolecall test "$example/rolecall.test.yaml"
echo "== two tenants against the reference server (examples/demo/run.ts)"
npx tsx examples/demo/run.ts
