#!/usr/bin/env bash
# A throwaway RabbitMQ for tests, on 127.0.0.1 only, with its node, ports, data and cookie under DIR.
#   .ci/rabbitmq.sh start DIR PORT   starts a node (AMQP on PORT, Erlang distribution on PORT+1, AMQP over TLS on
#                                    PORT+2) if none runs there, prints the URL amqp://guest:guest@127.0.0.1:PORT//
#                                    The TLS listener's certificate (for localhost and 127.0.0.1) is signed by a CA
#                                    made for the node: DIR/tls/ca.pem.
#   .ci/rabbitmq.sh stop DIR         stops the node of DIR if it runs
#   .ci/rabbitmq.sh ctl DIR ARGS...  rabbitmqctl ARGS on the node of DIR (e.g. list_queues name messages)
# Both are idempotent. Everything but the URL goes to stderr, so that URL=$(.ci/rabbitmq.sh start ...) works.
# epmd (Erlang's port mapper) is started by the node on 127.0.0.1 and left running, as Erlang does.
set -euo pipefail

# Debian's /usr/sbin wrappers switch to the rabbitmq user and its home; the scripts behind them run as they are.
BIN=/usr/lib/rabbitmq/bin

usage() {
  echo "usage: $0 start DIR PORT | stop DIR | ctl DIR ARGS..." >&2
  exit 2
}

ensure_installed() {
  if [ ! -x "$BIN/rabbitmq-server" ]; then
    echo "installing rabbitmq-server" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends rabbitmq-server >&2; then
      apt-get update >&2
      apt-get install -y --no-install-recommends rabbitmq-server >&2
    fi
  fi
}

# The node's environment: everything it writes stays under DIR, everything it listens on is loopback.
node_env() {
  local dir=$1 port=$2
  export HOME="$dir"                       # the Erlang cookie is $HOME/.erlang.cookie
  export RABBITMQ_NODENAME="celeriac-test-$port@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$port"
  export RABBITMQ_DIST_PORT=$((port + 1))
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export ERL_CRASH_DUMP="$dir/erl_crash.dump"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"   # rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
}

# A CA of the node's own and a server certificate it signs, for localhost and 127.0.0.1.
make_certificates() {
  local tls=$1
  [ -f "$tls/server.pem" ] && return 0
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=celeriac test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tls/san.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 3650 \
    -extfile "$tls/san.ext" -out "$tls/server.pem" >/dev/null 2>&1
  chmod 644 "$tls"/*
}

start() {
  local dir=$1 port=$2
  ensure_installed
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  echo "$port" >"$dir/port"
  node_env "$dir" "$port"
  [ -f "$dir/enabled_plugins" ] || echo '[].' >"$dir/enabled_plugins"
  make_certificates "$dir/tls"
  # guest may log in from loopback (its default); no management listener
  [ -f "$dir/rabbitmq.conf" ] || cat >"$dir/rabbitmq.conf" <<EOF
loopback_users.guest = true
listeners.tcp.default = 127.0.0.1:$port
listeners.ssl.default = 127.0.0.1:$((port + 2))
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
EOF
  [ -f "$dir/advanced.config" ] || echo '[].' >"$dir/advanced.config"
  local server=""
  if ! "$BIN/rabbitmq-diagnostics" -q -n "$RABBITMQ_NODENAME" ping >/dev/null 2>&1; then
    nohup "$BIN/rabbitmq-server" >>"$dir/start.log" 2>&1 &
    server=$!
  fi
  local i
  for i in $(seq 1 60); do
    if "$BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" await_startup --timeout 2 >/dev/null 2>&1; then
      echo "amqp://guest:guest@127.0.0.1:$port//"
      return 0
    fi
    if [ -n "$server" ] && ! kill -0 "$server" 2>/dev/null; then
      break # the node died while booting
    fi
    sleep 0.5
  done
  echo "RabbitMQ of $dir did not start on 127.0.0.1:$port; its logs:" >&2
  tail -n 50 "$dir"/log/*.log "$dir/start.log" >&2 || true
  exit 1
}

stop() {
  local dir=$1 port
  [ -f "$dir/port" ] || return 0
  dir=$(cd "$dir" && pwd)
  port=$(cat "$dir/port")
  node_env "$dir" "$port"
  if "$BIN/rabbitmq-diagnostics" -q -n "$RABBITMQ_NODENAME" ping >/dev/null 2>&1; then
    timeout 60 "$BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" stop >&2 || true
  fi
}

ctl() {
  local dir=$1
  shift
  [ -f "$dir/port" ] || { echo "no node in $dir" >&2; exit 1; }
  dir=$(cd "$dir" && pwd)
  node_env "$dir" "$(cat "$dir/port")"
  exec "$BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop)  [ $# -eq 2 ] || usage; stop "$2" ;;
  ctl)   [ $# -ge 3 ] || usage; ctl "$2" "${@:3}" ;;
  *) usage ;;
esac
