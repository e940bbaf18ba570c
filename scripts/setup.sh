#!/usr/bin/env bash
# Installs what the project needs and is missing: npm packages, the Kafka jars, and (as root)
# Debian's postgresql and chromium. Quick when everything is there already.
# Usage: scripts/setup.sh [--browser]   (--browser also installs Chromium for the browser tests)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v node >/dev/null || die "Node.js 20+ is required: apt-get install -y nodejs npm" setup
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "Node.js 20+ is required (found $(node --version))" setup

# npm packages: reinstall when package-lock.json changed since the last install.
stamp="$ROOT/node_modules/.lock-stamp"
want=$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say setup "installing npm packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >"$LOG_DIR/npm-ci.log" 2>&1) \
    || die "npm ci failed; see $LOG_DIR/npm-ci.log" setup
  echo "$want" >"$stamp"
fi

bash "$ROOT/scripts/kafka.sh" install
bash "$ROOT/scripts/postgres.sh" install

apt_install() { # apt_install PACKAGE...: as root, the Debian packages that are missing
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: sudo apt-get install -y ${missing[*]}" setup
  say setup "installing ${missing[*]} from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed; see $LOG_DIR/apt.log" setup
}

# The README's runbook uses curl and jq (reading the JSON that the projects/keys commands print).
if [ "$(id -u)" = 0 ]; then
  apt_install curl jq
else
  for tool in curl jq; do
    command -v "$tool" >/dev/null || say setup "note: the README's runbook uses $tool: sudo apt-get install -y $tool"
  done
fi

if [ "${1:-}" = "--browser" ]; then
  # chromium drives the browser tests; docker-compose only validates docker-compose.yml.
  apt_install chromium docker-compose
fi
