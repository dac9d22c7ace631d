#!/usr/bin/env bash
# Runs the development Kafka broker (single-node KRaft) from jars fetched from Maven Central,
# without Docker and without a Kafka tarball.
#
#   deploy/kafka.sh fetch       copy the jars to .cache/kafka/libs (again if pom.xml changed)
#   deploy/kafka.sh format      format .state/kafka unless it already holds a cluster
#   deploy/kafka.sh start       start in the background and wait until the port answers
#   deploy/kafka.sh stop        stop it and wait until the port is free
#   deploy/kafka.sh foreground  run it in the foreground (logs on the terminal)
#   deploy/kafka.sh status      exit 0 if our broker is running
#
# Data in .state/kafka survives stop/start; `make clean-state` wipes it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env

POM="$ROOT/deploy/kafka/pom.xml"
LIBS="$CACHE_DIR/kafka/libs"
POM_STAMP="$CACHE_DIR/kafka/pom.sha256"   # checksum of the pom the jars were fetched for
START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-60}

if [[ -n ${KAFKA_NODE:-} ]]; then
  # Node N of the three-node cluster (deploy/kafka-cluster.sh, make run-cluster): its ports are
  # the N-th of KAFKA_CLUSTER_BOOTSTRAP_SERVERS and KAFKA_CLUSTER_CONTROLLER_PORTS.
  IFS=, read -r -a CLUSTER_SERVERS <<<"$KAFKA_CLUSTER_BOOTSTRAP_SERVERS"
  IFS=, read -r -a CLUSTER_CONTROLLERS <<<"$KAFKA_CLUSTER_CONTROLLER_PORTS"
  ((KAFKA_NODE >= 1 && KAFKA_NODE <= ${#CLUSTER_SERVERS[@]})) || die "KAFKA_NODE must be 1..${#CLUSTER_SERVERS[@]}"
  BOOTSTRAP=${CLUSTER_SERVERS[KAFKA_NODE - 1]}
  KAFKA_CONTROLLER_PORT=${CLUSTER_CONTROLLERS[KAFKA_NODE - 1]}
  VOTERS=""
  for i in "${!CLUSTER_CONTROLLERS[@]}"; do
    VOTERS+="${VOTERS:+,}$((i + 1))@127.0.0.1:${CLUSTER_CONTROLLERS[i]}"
  done
  TEMPLATE="$ROOT/deploy/kafka/cluster.properties"
  CLUSTER_DIR="$STATE_DIR/kafka-cluster"
  DATA_DIR="$CLUSTER_DIR/$KAFKA_NODE"
  CONFIG="$CLUSTER_DIR/$KAFKA_NODE.properties"
  PID_FILE="$CLUSTER_DIR/$KAFKA_NODE.pid"
  LOG_FILE="$STATE_DIR/logs/kafka-$KAFKA_NODE.log"
  CLUSTER_ID_FILE="$CLUSTER_DIR/cluster.id"   # one id for the three nodes
else
  BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS%%,*}   # this broker is the first (only) bootstrap server
  KAFKA_NODE=1
  VOTERS="1@127.0.0.1:$KAFKA_CONTROLLER_PORT"
  TEMPLATE="$ROOT/deploy/kafka/server.properties"
  DATA_DIR="$STATE_DIR/kafka"
  CONFIG="$STATE_DIR/kafka-server.properties"
  PID_FILE="$STATE_DIR/kafka.pid"
  LOG_FILE="$STATE_DIR/logs/kafka.log"
  CLUSTER_ID_FILE=""
fi
KAFKA_HOST=${BOOTSTRAP%:*}
KAFKA_PORT=${BOOTSTRAP##*:}

# Same JVM settings as Kafka's own kafka-server-start.sh, with a heap sized for a laptop/CI.
JAVA_OPTS=(
  -Xms256m -Xmx512m
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties"
  -Dkafka.logs.dir="$STATE_DIR/logs"
  -cp "$LIBS/*"
)

cmd_fetch() {
  local sum
  sum=$(sha256sum "$POM" | cut -d' ' -f1)
  if [[ -f $POM_STAMP && $(cat "$POM_STAMP") == "$sum" ]] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn (Maven) is needed to fetch Kafka: apt-get install -y maven"
  say "fetching Kafka jars from Maven Central into ${LIBS#"$ROOT/"}"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  # Maven's output goes to a file: quiet on success, and its tail explains a failure.
  if ! mvn -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS" >"$CACHE_DIR/kafka/mvn.log" 2>&1; then
    tail -n 30 "$CACHE_DIR/kafka/mvn.log" >&2
    die "Maven could not fetch the Kafka jars (full log: ${CACHE_DIR#"$ROOT/"}/kafka/mvn.log)"
  fi
  echo "$sum" >"$POM_STAMP"
}

# Re-rendered on every start so a port changed in stodspar.env takes effect.
render_config() {
  mkdir -p "$STATE_DIR/logs" "$DATA_DIR"
  sed -e "s|@KAFKA_HOST@|$KAFKA_HOST|g" \
      -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_NODE@|$KAFKA_NODE|g" \
      -e "s|@KAFKA_VOTERS@|$VOTERS|g" \
      -e "s|@KAFKA_LOG_DIR@|$DATA_DIR|g" \
      "$TEMPLATE" >"$CONFIG"
}

cmd_format() {
  cmd_fetch
  render_config
  # meta.properties marks formatted storage; formatting again would refuse or lose data.
  [[ -f $DATA_DIR/meta.properties ]] && return 0
  local cluster_id
  if [[ -n $CLUSTER_ID_FILE && -f $CLUSTER_ID_FILE ]]; then
    cluster_id=$(cat "$CLUSTER_ID_FILE")
  else
    cluster_id=$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
    [[ -z $CLUSTER_ID_FILE ]] || echo "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  say "formatting KRaft storage in ${DATA_DIR#"$ROOT/"} (cluster $cluster_id)"
  java -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" -cp "$LIBS/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >>"$LOG_FILE" 2>&1 \
    || die "formatting failed, see ${LOG_FILE#"$ROOT/"}"
}

# The pid file alone is not trusted: after a reboot the pid may belong to another process.
running_pid() {
  local pid
  [[ -f $PID_FILE ]] || return 1
  pid=$(cat "$PID_FILE")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    say "running (pid $pid) on $KAFKA_HOST:$KAFKA_PORT"
  else
    say "not running"
    return 1
  fi
}

# Refuses to start a second broker over someone else's listener (another checkout, docker).
check_port_free() {
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    die "$KAFKA_HOST:$KAFKA_PORT is taken by a process this script did not start; stop it first"
  fi
}

cmd_start() {
  if running_pid >/dev/null; then
    cmd_status
    return 0
  fi
  check_port_free
  # One file per run (plus the previous one): the log would otherwise grow without bound.
  mkdir -p "$STATE_DIR/logs"
  [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  cmd_format
  say "starting Kafka on $KAFKA_HOST:$KAFKA_PORT (log: ${LOG_FILE#"$ROOT/"})"
  local started=$SECONDS
  rm -f "$PID_FILE"
  # setsid: own session, so a Ctrl-C meant for `make run` does not kill the broker before
  # it is stopped cleanly. The inner shell records its own pid, which exec hands to java.
  # All output goes to the log file, so no caller (CI) is left with its stdout held open.
  # shellcheck disable=SC2016  # $$ is for the inner shell
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    java "${JAVA_OPTS[@]}" kafka.Kafka "$CONFIG" </dev/null >>"$LOG_FILE" 2>&1 &
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$KAFKA_HOST" "$KAFKA_PORT"; do
    if [[ -f $PID_FILE ]] && ! running_pid >/dev/null; then
      tail -n 30 "$LOG_FILE" >&2
      die "Kafka exited during startup, see ${LOG_FILE#"$ROOT/"}"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$LOG_FILE" >&2
      die "Kafka did not accept connections on $KAFKA_HOST:$KAFKA_PORT within ${START_TIMEOUT}s (KAFKA_START_TIMEOUT), see ${LOG_FILE#"$ROOT/"}"
    fi
    sleep 0.2
  done
  say "Kafka is up after $((SECONDS - started))s (pid $(cat "$PID_FILE"))"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  say "stopping Kafka (pid $pid)"
  kill -TERM "$pid"   # a clean shutdown flushes the logs; a KILL would force recovery next start
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "no clean shutdown within ${STOP_TIMEOUT}s, killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  # The JVM has exited, so the kernel has already released the listener; this only guards
  # against another process having grabbed it meanwhile.
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    die "Kafka stopped but $KAFKA_HOST:$KAFKA_PORT is still taken by another process"
  fi
  say "stopped"
}

cmd_foreground() {
  if running_pid >/dev/null; then
    die "Kafka is already running in the background; deploy/kafka.sh stop first"
  fi
  check_port_free
  cmd_format
  echo $$ >"$PID_FILE"   # exec keeps this pid, so status/stop also work on a foreground broker
  exec java "${JAVA_OPTS[@]}" kafka.Kafka "$CONFIG"
}

case "${1:-}" in
  fetch | format | start | stop | status | foreground) "cmd_$1" ;;
  *) echo "usage: $0 fetch|format|start|stop|status|foreground" >&2; exit 2 ;;
esac
