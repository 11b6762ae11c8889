#!/usr/bin/env bash
# `npm test`: installs the test tools the project needs (pinned OPA, Debian's chromium and
# postgresql, each only when missing), starts a throwaway PostgreSQL unless DATABASE_URL is set,
# then builds, lints, typechecks and runs every vitest suite (the e2e suites run once on the
# embedded PGlite and once on PostgreSQL).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-opa.sh
bash scripts/install-chromium.sh

if [[ -z "${DATABASE_URL:-}" ]]; then
  eval "$(bash scripts/install-postgres.sh)"
  trap 'bash scripts/install-postgres.sh stop "$ROLECALL_PG_DIR"' EXIT
fi

npm run build
npm run lint
npm run typecheck

# vitest's report of an unhandled error scrolls far up; repeat a short form of it last.
export ROLECALL_UNHANDLED_LOG="$(mktemp /tmp/rolecall-unhandled.XXXXXX)"
status=0
npx vitest run || status=$?
if [[ -s "$ROLECALL_UNHANDLED_LOG" ]]; then
  echo "unhandled errors during the tests (from vitest.config.ts):" >&2
  cat "$ROLECALL_UNHANDLED_LOG" >&2
fi
rm -f "$ROLECALL_UNHANDLED_LOG"
exit "$status"
