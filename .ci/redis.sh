#!/usr/bin/env bash
# A throwaway Redis for tests, listening on 127.0.0.1 only, no persistence.
#   .ci/redis.sh start DIR PORT   starts a server (pid file and log in DIR) if none runs there, prints the URL
#   .ci/redis.sh stop DIR         stops the server of DIR if it runs
# Both are idempotent. Everything but the URL goes to stderr, so that URL=$(.ci/redis.sh start ...) works.
# Installing the Debian package may also start a system Redis on 6379; it is left alone and not used.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

ensure_installed() {
  if [ ! -x /usr/bin/redis-server ]; then
    echo "installing redis-server" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends redis-server >&2; then
      apt-get update >&2
      apt-get install -y --no-install-recommends redis-server >&2
    fi
  fi
}

# The pid in DIR's pid file, when that process still runs and is a redis-server: pids wrap, and a stale file must
# not name some other process for stop to kill.
running_pid() {
  local dir=$1 pid
  [ -f "$dir/redis.pid" ] || return 1
  pid=$(cat "$dir/redis.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = redis-server ] \
    && echo "$pid"
}

start() {
  local dir=$1 port=$2
  ensure_installed
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if ! running_pid "$dir" >/dev/null; then
    /usr/bin/redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
  fi
  # ready when it answers PONG, and it is ours: not another server that holds the port already
  local i pid
  for i in $(seq 1 100); do
    if pid=$(running_pid "$dir") \
        && [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ] \
        && redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null | tr -d '\r' | grep -qx "process_id:$pid"; then
      echo "redis://127.0.0.1:$port/0"
      return 0
    fi
    sleep 0.1
  done
  echo "redis-server of $dir did not answer on 127.0.0.1:$port; its log:" >&2
  cat "$dir/redis.log" >&2 || true
  exit 1
}

stop() {
  local dir=$1 pid i
  pid=$(running_pid "$dir") || return 0
  kill -TERM "$pid"
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "redis-server $pid did not stop within 10 s" >&2
  exit 1
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop)  [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
