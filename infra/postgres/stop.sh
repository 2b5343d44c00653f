#!/usr/bin/env bash
# Stop the throwaway PostgreSQL cluster started by start.sh and delete it.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/postgres/stop.sh [--help]

Stops the cluster started by infra/postgres/start.sh (pg_ctl stop -m fast) and
removes its data directory and $LEDGER_INFRA_DIR/postgres.env.
Safe to run when nothing is running (exits 0).

Environment:
  LEDGER_INFRA_DIR  state/data root (default /tmp/ledger-infra); must match start.sh
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

LEDGER_INFRA_DIR="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}"
STATE_DIR="$LEDGER_INFRA_DIR/postgres"
STATE_FILE="$STATE_DIR/state"
ENV_FILE="$LEDGER_INFRA_DIR/postgres.env"

log() { echo "[postgres] $*" >&2; }

if [[ ! -f "$STATE_FILE" ]]; then
  log "nothing to stop"
  rm -f "$ENV_FILE"
  exit 0
fi

BIN='' DATA_DIR='' PGDATA='' RUN_USER=''
# shellcheck disable=SC1090
source "$STATE_FILE"

# pg_ctl refuses to run as root; use the user start.sh ran the server as.
run_as() {
  if [[ "$(id -u)" -ne 0 ]]; then "$@"
  elif command -v runuser >/dev/null 2>&1; then runuser -u "$RUN_USER" -- "$@"
  else su -s /bin/bash "$RUN_USER" -c "$(printf '%q ' "$@")"
  fi
}

if [[ -f "$PGDATA/postmaster.pid" ]]; then
  pid="$(head -n 1 "$PGDATA/postmaster.pid")"
  if ! run_as "$BIN/pg_ctl" -D "$PGDATA" -m fast -t 30 stop >/dev/null 2>&1; then
    # Fast shutdown did not finish in time; don't leave a server on a deleted directory.
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      log "fast shutdown timed out; sending SIGQUIT to $pid"
      kill -QUIT "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  log "stopped"
else
  log "server was not running"
fi

# Only delete what start.sh created.
case "$DATA_DIR" in
  "$STATE_DIR"/cluster.*) rm -rf -- "$DATA_DIR" ;;
esac
rm -f "$STATE_FILE" "$ENV_FILE"
rmdir "$STATE_DIR" 2>/dev/null || true
