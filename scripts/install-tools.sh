#!/usr/bin/env bash
# Install the command-line tools the observability tests call: promtool (Debian's
# prometheus package) and amtool (prometheus-alertmanager). Idempotent: when both
# are on PATH it returns at once without touching apt.
set -euo pipefail

log() { printf '[install-tools.sh] %s\n' "$*" >&2; }

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) != 0 ]]; then
  log "need root to install: ${missing[*]}"
  exit 1
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# --no-install-recommends keeps the web consoles and exporters out; the packages'
# services are never started here (no systemd in CI), only their binaries are used.
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
