#!/usr/bin/env bash
# Start the local Redis, PostgreSQL and RabbitMQ that the test suite talks to,
# each only if it is not answering already.
set -uo pipefail

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "services: $name did not come up" >&2
  return 1
}

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for redis redis-cli -h 127.0.0.1 -p 6379 ping || exit 1
fi

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for postgresql pg_isready -h 127.0.0.1 -p 5432 || exit 1
fi

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  rabbitmq-server -detached
  wait_for rabbitmq rabbitmqctl -q status || exit 1
fi
