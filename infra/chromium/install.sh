#!/usr/bin/env bash
# Debian's chromium for the browser suite (driven by playwright-core; no browser download).
# Prints CHROMIUM_PATH=… on its last line. Installs with apt-get when missing (needs root).
set -euo pipefail
for bin in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$bin" ] && [ -x "$bin" ]; then
    echo "CHROMIUM_PATH=$bin"
    exit 0
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "[chromium] not installed; as root: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
echo "[chromium] installing Debian's chromium" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
echo "CHROMIUM_PATH=/usr/bin/chromium"
