#!/usr/bin/env bash
# A throwaway PostgreSQL for tests, listening on 127.0.0.1 only, trust authentication, no fsync.
#   .ci/postgres.sh start DIR PORT   initialises DIR if needed, starts the server, prints the JDBC URL
#   .ci/postgres.sh stop DIR         stops the server of DIR if it runs
# Both are idempotent. DIR must be reachable by the postgres user when run as root (e.g. under /tmp).
# CELERIAC_PG_SERVER_OPTIONS, when set, is added to the server's options on start (e.g. "-c ssl=on -c
# ssl_cert_file=/path/server.pem -c ssl_key_file=/path/server.key" for a test of TLS).
# Everything but the URL goes to stderr, so that URL=$(.ci/postgres.sh start ...) works.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_installed() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
  fi
}

# Runs a command as the postgres user when we are root (initdb and postgres refuse root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 port=$2
  ensure_installed
  local bin
  bin=$(find_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
  fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >&2
    # trust on the loopback address only: no other host may connect
    cat > "$dir/pg_hba.conf" <<'HBA'
local all all trust
host  all all 127.0.0.1/32 trust
HBA
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$dir/pg_hba.conf"
    fi
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off${CELERIAC_PG_SERVER_OPTIONS:+ $CELERIAC_PG_SERVER_OPTIONS}" \
      start >&2
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'celeriac'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE celeriac SUPERUSER LOGIN" >&2
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'celeriac'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE celeriac OWNER celeriac" >&2
  fi
  echo "jdbc:postgresql://127.0.0.1:$port/celeriac?user=celeriac"
}

stop() {
  local dir=$1
  local bin
  bin=$(find_bin)
  if [ -z "$bin" ] || [ ! -f "$dir/PG_VERSION" ]; then
    return 0
  fi
  if as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >&2
  fi
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop)  [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
