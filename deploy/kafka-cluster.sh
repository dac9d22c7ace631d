#!/usr/bin/env bash
# The three-node KRaft cluster of `make run-cluster` and the cluster test, on localhost: each
# node is deploy/kafka.sh with KAFKA_NODE=N (its ports from deploy/stodspar.env, its data in
# .state/kafka-cluster/N). Replication factor 3, min.insync.replicas 2.
#
#   deploy/kafka-cluster.sh start        format (once) and start the three nodes; wait for all
#   deploy/kafka-cluster.sh stop         stop them
#   deploy/kafka-cluster.sh status       exit 0 if all three run
#   deploy/kafka-cluster.sh kill N       SIGKILL node N (what the cluster test does under load)
#   deploy/kafka-cluster.sh start-node N start node N again
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env

NODES=(1 2 3)
node() { KAFKA_NODE=$1 "$ROOT/deploy/kafka.sh" "${@:2}"; }

cmd_start() {
  "$ROOT/deploy/kafka.sh" fetch
  local n pids=() failed=0
  for n in "${NODES[@]}"; do node "$n" format; done   # one after the other: one cluster id
  # Together: a node's listener opens only once a quorum of controllers (two) is up.
  for n in "${NODES[@]}"; do node "$n" start & pids+=($!); done
  for n in "${pids[@]}"; do wait "$n" || failed=1; done
  ((failed == 0)) || die "a node did not start; see .state/logs/kafka-N.log"
  say "cluster up: $KAFKA_CLUSTER_BOOTSTRAP_SERVERS"
}

# Together: a node stopping alone waits for a controller quorum to move its partitions away,
# and the last ones would wait for each other.
cmd_stop() {
  local n pids=()
  for n in "${NODES[@]}"; do node "$n" stop & pids+=($!); done
  for n in "${pids[@]}"; do wait "$n" || true; done
}

cmd_status() {
  local n status=0
  for n in "${NODES[@]}"; do node "$n" status || status=1; done
  return "$status"
}

cmd_kill() {
  local pid_file="$STATE_DIR/kafka-cluster/$1.pid"
  [[ -f $pid_file ]] || die "node $1 is not running"
  kill -KILL "$(cat "$pid_file")"
  say "node $1 killed"
}

case "${1:-}" in
  start | stop | status) "cmd_$1" ;;
  kill) cmd_kill "${2:?node number}" ;;
  start-node) node "${2:?node number}" start ;;
  *) echo "usage: $0 start|stop|status|kill N|start-node N" >&2; exit 2 ;;
esac
