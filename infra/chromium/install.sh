#!/usr/bin/env bash
# Debian's chromium for the browser suite (driven by playwright-core; never a browser download).
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  cat <<'HELP'
Usage: infra/chromium/install.sh

Finds Debian's chromium (CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser); when none is
there and this runs as root, installs the "chromium" package with apt-get. Prints CHROMIUM_PATH=<path>
as the last line of stdout and writes it to $LEDGER_INFRA_DIR/chromium.env (default /tmp/ledger-infra).
Exit 1 when chromium is missing and cannot be installed (not root).
HELP
  exit 0
fi
DIR="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}"
found=""
for bin in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$bin" ] && [ -x "$bin" ]; then
    found="$bin"
    break
  fi
done
if [ -z "$found" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "[chromium] not installed; as root: apt-get update && apt-get install -y chromium" >&2
    exit 1
  fi
  echo "[chromium] installing Debian's chromium" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  found=/usr/bin/chromium
fi
mkdir -p "$DIR"
echo "CHROMIUM_PATH=$found" > "$DIR/chromium.env"
echo "CHROMIUM_PATH=$found"
