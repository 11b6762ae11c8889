#!/usr/bin/env bash
# Installs the pinned OPA into .tools/bin (project-local), idempotently.
# Built from source with `go install` because prebuilt downloads are not used here.
set -euo pipefail
OPA_VERSION="1.22.2"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
opa="$bin_dir/opa"

# Captures `opa version` before matching: piping it into `grep -q` under pipefail fails at random
# when grep exits before opa has written everything (SIGPIPE).
reports_pinned_version() {
  local output
  output="$("$opa" version 2>/dev/null)" || return 1
  grep -qx "Version: $OPA_VERSION" <<<"$output"
}

if [ -x "$opa" ] && reports_pinned_version; then
  echo "opa $OPA_VERSION already installed at $opa"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: go is required to build opa $OPA_VERSION (install Go, then re-run $0)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "building opa $OPA_VERSION with go install (about a minute and a half on a first build)..."
GOBIN="$bin_dir" CGO_ENABLED=0 GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@v$OPA_VERSION"
reports_pinned_version || {
  echo "error: $opa does not report version $OPA_VERSION" >&2
  exit 1
}
echo "installed opa $OPA_VERSION at $opa"
