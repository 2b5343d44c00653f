#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for tests (no Docker needed).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/postgres/start.sh [--help]

Creates a throwaway PostgreSQL cluster (initdb into a temp dir), starts it on
127.0.0.1 with trust auth and test-speed settings (fsync=off, ...), creates the
database "ledger", and prints DATABASE_URL=... as the last line of stdout.
The same line is written to $LEDGER_INFRA_DIR/postgres.env for `source`.
Stop and delete it with infra/postgres/stop.sh.

Environment:
  PG_PORT           TCP port to listen on              (default 54329)
  LEDGER_INFRA_DIR  state/data root                    (default /tmp/ledger-infra)
  PG_BIN            directory with initdb/pg_ctl       (default: pg_config --bindir,
                                                        else newest /usr/lib/postgresql/*/bin)
  PG_RUN_USER       OS user that runs the server when started as root
                                                       (default postgres, else nobody)
  PG_START_TIMEOUT  seconds to wait for readiness      (default 30)

When run as root and no server binaries are found, installs the Debian
"postgresql" package with apt-get. PostgreSQL refuses to run as root, so as
root the cluster is created and run as PG_RUN_USER.
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

PG_PORT="${PG_PORT:-54329}"
LEDGER_INFRA_DIR="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-30}"
STATE_DIR="$LEDGER_INFRA_DIR/postgres"
STATE_FILE="$STATE_DIR/state"
ENV_FILE="$LEDGER_INFRA_DIR/postgres.env"

log() { echo "[postgres] $*" >&2; }
die() { echo "[postgres] ERROR: $*" >&2; exit 1; }

find_bindir() {
  local d
  if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return 0; fi
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    [[ -n "$d" && -x "$d/initdb" ]] && { echo "$d"; return 0; }
  fi
  # Debian keeps server binaries off PATH; pick the highest major version.
  for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -t/ -k5 -V -r); do
    [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
  done
  d="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"
  [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
  return 1
}

port_in_use() {
  # A connect that succeeds means something is already listening.
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

if [[ -n "${PG_BIN:-}" && ! -x "${PG_BIN}/initdb" ]]; then
  die "PG_BIN=$PG_BIN has no initdb"
fi
if ! BIN="$(find_bindir)"; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL server binaries not found; installing the Debian package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y postgresql >&2 || { apt-get update >&2 && apt-get install -y postgresql >&2; }
    BIN="$(find_bindir)" || die "installed postgresql but still cannot find initdb"
  else
    die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them (Debian: sudo apt-get install postgresql) or set PG_BIN."
  fi
fi
PSQL="$BIN/psql"; [[ -x "$PSQL" ]] || PSQL="$(command -v psql)" || die "psql not found"
PG_ISREADY="$BIN/pg_isready"; [[ -x "$PG_ISREADY" ]] || PG_ISREADY="$(command -v pg_isready)" || die "pg_isready not found"

if [[ -f "$STATE_FILE" ]]; then
  die "a cluster from a previous start exists in $STATE_DIR; run infra/postgres/stop.sh first"
fi
if port_in_use "$PG_PORT"; then
  die "port $PG_PORT on 127.0.0.1 is already in use; stop whatever listens there or set PG_PORT"
fi

# initdb/postgres refuse to run as root, so as root everything server-side runs as another user.
if [[ "$(id -u)" -eq 0 ]]; then
  RUN_USER="${PG_RUN_USER:-}"
  if [[ -z "$RUN_USER" ]]; then
    if id postgres >/dev/null 2>&1; then RUN_USER=postgres; else RUN_USER=nobody; fi
  fi
  id "$RUN_USER" >/dev/null 2>&1 || die "user $RUN_USER does not exist (set PG_RUN_USER)"
else
  RUN_USER="$(id -un)"
fi
run_as() {
  if [[ "$(id -u)" -ne 0 ]]; then "$@"
  elif command -v runuser >/dev/null 2>&1; then runuser -u "$RUN_USER" -- "$@"
  else su -s /bin/bash "$RUN_USER" -c "$(printf '%q ' "$@")"
  fi
}

mkdir -p "$LEDGER_INFRA_DIR"
# Parents must be traversable by RUN_USER.
chmod 755 "$LEDGER_INFRA_DIR" 2>/dev/null || true
mkdir -p "$STATE_DIR"
DATA_DIR="$(mktemp -d "$STATE_DIR/cluster.XXXXXX")"
LOG_FILE="$DATA_DIR/server.log"
PGDATA="$DATA_DIR/data"
[[ "$(id -u)" -eq 0 ]] && chown "$RUN_USER" "$DATA_DIR"

# Written before the server starts so stop.sh can clean up even a half-started cluster.
cat >"$STATE_FILE" <<EOF
BIN='$BIN'
DATA_DIR='$DATA_DIR'
PGDATA='$PGDATA'
PG_PORT='$PG_PORT'
RUN_USER='$RUN_USER'
EOF

log "using $("$BIN/postgres" --version) from $BIN (run as $RUN_USER)"
# From here on a failure must not leave a half-started cluster behind.
fail() {
  log "$1; last server log lines:"
  tail -n 40 "$LOG_FILE" >&2 2>/dev/null || true
  "$(dirname "${BASH_SOURCE[0]}")/stop.sh" >/dev/null 2>&1 || true
  die "PostgreSQL failed to start"
}

run_as "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$DATA_DIR/initdb.log" 2>&1 \
  || { cat "$DATA_DIR/initdb.log" >&2; fail "initdb failed"; }

cat >>"$PGDATA/postgresql.conf" <<EOF

# --- throwaway test cluster (infra/postgres/start.sh) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$DATA_DIR'
max_connections = 200
# Durability is pointless for a cluster deleted after the run; these make tests faster.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# pg_ctl -w notices a postmaster that dies during startup instead of waiting out the timeout.
run_as "$BIN/pg_ctl" -D "$PGDATA" -l "$LOG_FILE" -w -t "$PG_START_TIMEOUT" start >/dev/null 2>&1 \
  || fail "server did not start within ${PG_START_TIMEOUT}s"

deadline=$((SECONDS + PG_START_TIMEOUT))
until "$PG_ISREADY" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -t 2; do
  (( SECONDS < deadline )) || fail "server not answering on 127.0.0.1:$PG_PORT within ${PG_START_TIMEOUT}s"
  sleep 0.3
done

"$PSQL" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
  -c 'CREATE DATABASE ledger' >&2 || fail "could not create database ledger"

DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/ledger"
echo "DATABASE_URL=$DATABASE_URL" >"$ENV_FILE"
log "ready on 127.0.0.1:$PG_PORT (data in $DATA_DIR, log $LOG_FILE)"
echo "DATABASE_URL=$DATABASE_URL"
