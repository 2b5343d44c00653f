#!/usr/bin/env bash
# Installs schemathesis (PyPI, pinned) into a virtualenv under $LEDGER_INFRA_DIR and prints
# SCHEMATHESIS_BIN=<path> as the last line of stdout (also written to schemathesis.env).
set -euo pipefail
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  echo "Usage: infra/schemathesis/install.sh   (env: LEDGER_INFRA_DIR, default /tmp/ledger-infra; SCHEMATHESIS_VERSION)"
  exit 0
fi
VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
DIR="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}/schemathesis"
BIN="$DIR/venv/bin/schemathesis"
if [[ ! -x "$BIN" ]] || ! "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "[schemathesis] installing $VERSION into $DIR/venv" >&2
  mkdir -p "$DIR"
  python3 -m venv "$DIR/venv"
  "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
fi
"$BIN" --version >&2
echo "SCHEMATHESIS_BIN=$BIN" > "$DIR/../schemathesis.env"
echo "SCHEMATHESIS_BIN=$BIN"
