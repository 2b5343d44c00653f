#!/usr/bin/env bash
# Stop the throwaway Kafka broker started by start.sh and delete its data.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/kafka/stop.sh [--help] [--keep-data]

Stops the broker started by infra/kafka/start.sh (SIGTERM, then SIGKILL after
KAFKA_STOP_TIMEOUT seconds) and removes its state/data directory and
$LEDGER_INFRA_DIR/kafka.env. Safe to run when nothing is running (exits 0).
The downloaded jars in infra/kafka/lib are kept.

--keep-data only stops the broker and keeps its state, for start.sh --restart
(a broker outage in a test); run stop.sh without it afterwards to delete it.

Environment:
  LEDGER_INFRA_DIR    state/data root (default /tmp/ledger-infra); must match start.sh
  KAFKA_STOP_TIMEOUT  seconds to wait after SIGTERM (default 30)
EOF
}

KEEP_DATA=""
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --keep-data) KEEP_DATA=1 ;;
  "") ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

LEDGER_INFRA_DIR="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
STATE_DIR="$LEDGER_INFRA_DIR/kafka"
PID_FILE="$STATE_DIR/kafka.pid"
ENV_FILE="$LEDGER_INFRA_DIR/kafka.env"

log() { echo "[kafka] $*" >&2; }

is_our_broker() {
  # Guards against a recycled pid: only signal a JVM running kafka.Kafka.
  kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

pid="$(cat "$PID_FILE" 2>/dev/null || true)"
if [[ -n "$pid" ]] && is_our_broker "$pid"; then
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while is_our_broker "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
  if is_our_broker "$pid"; then
    log "broker $pid ignored SIGTERM for ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do is_our_broker "$pid" || break; sleep 0.1; done
  fi
  log "stopped broker $pid"
else
  log "nothing running"
fi

[[ -n "$KEEP_DATA" ]] && exit 0
[[ -f "$STATE_DIR/.ledger-kafka" ]] && rm -rf -- "$STATE_DIR"
rm -f "$ENV_FILE"
