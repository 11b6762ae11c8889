#!/usr/bin/env bash
# Installs Debian's PostgreSQL if it is missing (idempotent) and starts a throwaway cluster on
# 127.0.0.1 with a free port in a temp dir. Prints shell exports on stdout, logs on stderr:
#   eval "$(bash scripts/install-postgres.sh)"      # sets DATABASE_URL and ROLECALL_PG_DIR
#   bash scripts/install-postgres.sh stop "$ROLECALL_PG_DIR"
set -euo pipefail

log() { echo "install-postgres: $*" >&2; }

find_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then echo "$candidate"; fi
  done | sort -V | tail -n 1
}

# Runs a command as the postgres user when we are root (initdb refuses to run as root).
as_owner() {
  if [[ "$(id -u)" == "0" ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "${1:-}" == "stop" ]]; then
  dir="${2:?usage: install-postgres.sh stop DIR}"
  bin="$(find_bin)"
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  rm -rf "$dir"
  log "stopped and removed $dir"
  exit 0
fi

bin="$(find_bin)"
if [[ -z "$bin" ]]; then
  log "installing postgresql from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  bin="$(find_bin)"
fi
[[ -n "$bin" ]] || { log "no initdb found under /usr/lib/postgresql/*/bin"; exit 1; }

dir="$(mktemp -d /tmp/rolecall-pg.XXXXXX)"
chmod 755 "$dir"
if [[ "$(id -u)" == "0" ]]; then chown postgres: "$dir"; fi

port="$(node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});")"

log "initdb in $dir/data ($bin)"
as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >&2

log "PostgreSQL listening on 127.0.0.1:$port"
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export ROLECALL_PG_DIR=$dir"
