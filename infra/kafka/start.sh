#!/usr/bin/env bash
# Start a throwaway single-node Kafka (KRaft) broker for tests, without Docker.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/kafka/start.sh [--help] [--restart]

Resolves Apache Kafka jars from Maven into infra/kafka/lib (once; skipped while
the jars match pom.xml), formats a fresh KRaft log dir, starts a combined
broker+controller on 127.0.0.1 in the background and waits until it answers a
metadata request. Prints KAFKA_BROKERS=... as the last line of stdout and
writes the same line to $LEDGER_INFRA_DIR/kafka.env for `source`.
Stop and delete it with infra/kafka/stop.sh.

--restart starts the broker again on the state a previous start left behind
(after infra/kafka/stop.sh --keep-data): same data, cluster id and ports (read
from that state's server.properties); nothing is formatted or deleted.

Environment:
  KAFKA_PORT             client (PLAINTEXT) port            (default 19092)
  KAFKA_CONTROLLER_PORT  KRaft controller port              (default 19093)
  LEDGER_INFRA_DIR       state/data root                    (default /tmp/ledger-infra)
  KAFKA_START_TIMEOUT    seconds to wait for the broker     (default 90)
  KAFKA_MVN_TIMEOUT      seconds allowed for Maven          (default 600)
  KAFKA_HEAP_OPTS        broker JVM heap flags              (default "-Xmx512m -Xms256m")

Needs java (17+) and, on the first run, mvn with access to Maven Central.
EOF
}

RESTART=""
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --restart) RESTART=1 ;;
  "") ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB_DIR="$SCRIPT_DIR/lib"
STAMP="$LIB_DIR/.pom.sha256"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
LEDGER_INFRA_DIR="${LEDGER_INFRA_DIR:-/tmp/ledger-infra}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_MVN_TIMEOUT="${KAFKA_MVN_TIMEOUT:-600}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
STATE_DIR="$LEDGER_INFRA_DIR/kafka"
PID_FILE="$STATE_DIR/kafka.pid"
ENV_FILE="$LEDGER_INFRA_DIR/kafka.env"
if [[ -n "$RESTART" ]]; then
  [[ -f "$STATE_DIR/.ledger-kafka" && -f "$STATE_DIR/server.properties" && -f "$STATE_DIR/data/meta.properties" ]] \
    || { echo "[kafka] ERROR: --restart needs the state of a previous start in $STATE_DIR (stopped with stop.sh --keep-data)" >&2; exit 1; }
  # The data was formatted for these listeners; restarting on other ports would strand clients.
  KAFKA_PORT="$(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*|\1|p' "$STATE_DIR/server.properties")"
  KAFKA_CONTROLLER_PORT="$(sed -n 's|^listeners=.*CONTROLLER://127.0.0.1:\([0-9]*\)$|\1|p' "$STATE_DIR/server.properties")"
fi
BROKERS="127.0.0.1:$KAFKA_PORT"
# CLI tools are short-lived: small heap, C1 only, serial GC start fastest.
TOOL_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "-Dlog4j2.configurationFile=$STATE_DIR/log4j2-tools.properties")

log() { echo "[kafka] $*" >&2; }
die() { echo "[kafka] ERROR: $*" >&2; exit 1; }

port_in_use() {
  # A connect that succeeds means something is already listening.
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

command -v java >/dev/null 2>&1 \
  || die "java not found on PATH; install a JDK/JRE 17+ (Debian: apt-get install openjdk-17-jre-headless)"

if [[ -f "$PID_FILE" ]] && tr '\0' ' ' <"/proc/$(cat "$PID_FILE")/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
  die "a broker from a previous start is running (pid $(cat "$PID_FILE")); run infra/kafka/stop.sh first"
fi
for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  port_in_use "$p" && die "port $p on 127.0.0.1 is already in use; stop whatever listens there or set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
done

# --- jars ---------------------------------------------------------------
pom_sha="$(sha256sum "$SCRIPT_DIR/pom.xml" | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$pom_sha" ]] && compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
  log "jars in $LIB_DIR match pom.xml; skipping Maven"
else
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH; install Maven (Debian: apt-get install maven)"
  log "resolving Kafka jars with Maven into $LIB_DIR (lib/ missing or pom.xml changed)"
  rm -rf "$LIB_DIR"
  mvn_log="$(mktemp)"
  if ! timeout "$KAFKA_MVN_TIMEOUT" mvn -q -B -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" package >"$mvn_log" 2>&1; then
    tail -n 30 "$mvn_log" | sed 's/\x1b\[[0-9;]*m//g' >&2
    rm -f "$mvn_log"
    die "could not resolve Kafka jars from Maven Central; check network/proxy settings (Maven settings: ~/.m2/settings.xml)"
  fi
  rm -f "$mvn_log"
  echo "$pom_sha" >"$STAMP"
fi
kafka_jar="$(compgen -G "$LIB_DIR/kafka_2.13-*.jar" | head -n 1)" || die "no kafka_2.13 jar in $LIB_DIR"
KAFKA_VERSION="$(basename "$kafka_jar" .jar)"; KAFKA_VERSION="${KAFKA_VERSION#kafka_2.13-}"
CP="$LIB_DIR/*"

# --- config -------------------------------------------------------------
if [[ -z "$RESTART" ]]; then
if [[ -e "$STATE_DIR" && ! -f "$STATE_DIR/.ledger-kafka" ]]; then
  die "$STATE_DIR exists but was not created by this script; remove it or set LEDGER_INFRA_DIR"
fi
rm -rf "$STATE_DIR"
mkdir -p "$STATE_DIR/data"
touch "$STATE_DIR/.ledger-kafka"   # marker: stop.sh only deletes a dir that has it

cat >"$STATE_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE_DIR/data
num.partitions=3
auto.create.topics.enable=true
# Single node: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests: consumers should join at once, and the first group should not wait on 50 offset partitions.
group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=10
EOF

log4j2_file_config() {
  cat <<EOF
status = error
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $1
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
EOF
}
log4j2_file_config "$STATE_DIR/server.log" >"$STATE_DIR/log4j2.properties"
# Keep the one "Kafka Server started" line, handy when reading the log.
cat >>"$STATE_DIR/log4j2.properties" <<'EOF'
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
EOF
log4j2_file_config "$STATE_DIR/tools.log" >"$STATE_DIR/log4j2-tools.properties"

cat >"$STATE_DIR/probe-client.properties" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=8000
EOF

# --- format + start -----------------------------------------------------
# A cluster id is 16 random bytes, base64url without padding. One in 64 starts with "-", which the
# tool's parser takes for an option unless it is attached with "=".
cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
java "${TOOL_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
  --cluster-id="$cluster_id" -c "$STATE_DIR/server.properties" --standalone >"$STATE_DIR/format.log" 2>&1 \
  || { cat "$STATE_DIR/format.log" >&2; die "formatting the KRaft storage failed"; }
fi

log "starting Kafka $KAFKA_VERSION on $BROKERS (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT, state in $STATE_DIR)"
# shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of flags
nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$STATE_DIR/log4j2.properties" \
  -cp "$CP" kafka.Kafka "$STATE_DIR/server.properties" \
  </dev/null >"$STATE_DIR/console.log" 2>&1 &
echo $! >"$PID_FILE"
pid="$(cat "$PID_FILE")"

# kill -0 would also succeed on our own un-reaped (zombie) child, so look at the process state.
broker_alive() {
  local st
  st="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$st" && "$st" != Z ]]
}

fail() {
  log "$1; last log lines:"
  tail -n 30 "$STATE_DIR/console.log" "$STATE_DIR/server.log" >&2 2>/dev/null || true
  "$SCRIPT_DIR/stop.sh" ${RESTART:+--keep-data} >/dev/null 2>&1 || kill -9 "$pid" 2>/dev/null || true
  die "Kafka failed to start"
}

deadline=$((SECONDS + KAFKA_START_TIMEOUT))
while :; do
  broker_alive || fail "broker process exited"
  if port_in_use "$KAFKA_PORT" \
    && timeout 15 java "${TOOL_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.TopicCommand \
         --bootstrap-server "$BROKERS" --command-config "$STATE_DIR/probe-client.properties" --list \
         >/dev/null 2>>"$STATE_DIR/tools.log"; then
    break
  fi
  (( SECONDS < deadline )) || fail "broker did not answer a metadata request within ${KAFKA_START_TIMEOUT}s"
  sleep 1
done

echo "KAFKA_BROKERS=$BROKERS" >"$ENV_FILE"
log "Kafka $KAFKA_VERSION ready on $BROKERS (pid $pid, logs in $STATE_DIR)"
echo "KAFKA_BROKERS=$BROKERS"
