#!/usr/bin/env bash
# Start or stop a private clamd on loopback for tests: its own config, a free port and
# a signature database holding only EICAR test signatures. No freshclam, no network.
#
#   scripts/clamd.sh start [DIR]   prints "127.0.0.1:PORT" once clamd answers PING
#   scripts/clamd.sh stop  [DIR]   stops the clamd started in DIR
#
# DIR defaults to /tmp/phishx-clamd. Installs clamav-daemon with apt-get if missing.
set -euo pipefail

ACTION=${1:-}
DIR=${2:-/tmp/phishx-clamd}
EICAR_MD5=44d88612fea8a8f36de82e1278abb02f
EICAR_SHA256=275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f

log() { printf '[clamd.sh] %s\n' "$*" >&2; }

install_clamd() {
  command -v clamd >/dev/null 2>&1 && return 0
  log "installing clamav-daemon"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends clamav-daemon >&2
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_config() {
  local port=$1
  mkdir -p "$DIR/db"
  printf '%s:68:PhishX.Test.EICAR-MD5\n' "$EICAR_MD5" > "$DIR/db/phishx-test.hdb"
  printf '%s:68:PhishX.Test.EICAR-SHA256\n' "$EICAR_SHA256" > "$DIR/db/phishx-test.hsb"
  cat > "$DIR/clamd.conf" <<CONF
TCPSocket $port
TCPAddr 127.0.0.1
Foreground false
PidFile $DIR/clamd.pid
LogFile $DIR/clamd.log
DatabaseDirectory $DIR/db
OfficialDatabaseOnly false
SelfCheck 0
MaxThreads 2
StreamMaxLength 25M
ScanArchive true
MaxRecursion 8
CONF
  echo "$port" > "$DIR/port"
}

wait_ready() {
  local port=$1
  for _ in $(seq 1 120); do
    if python3 - "$port" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"zPING\0")
    assert s.recv(16).startswith(b"PONG")
PY
    sleep 0.5
  done
  log "clamd did not answer; see $DIR/clamd.log"
  return 1
}

start() {
  if [[ -s $DIR/clamd.pid ]] && kill -0 "$(cat "$DIR/clamd.pid")" 2>/dev/null; then
    echo "127.0.0.1:$(cat "$DIR/port")"
    return 0
  fi
  install_clamd
  mkdir -p "$DIR"
  local port
  port=$(free_port)
  write_config "$port"
  clamd -c "$DIR/clamd.conf" </dev/null >>"$DIR/stdio.log" 2>&1
  wait_ready "$port"
  echo "127.0.0.1:$port"
}

stop() {
  [[ -s $DIR/clamd.pid ]] || return 0
  local pid
  pid=$(cat "$DIR/clamd.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$DIR/clamd.pid"
}

case $ACTION in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
