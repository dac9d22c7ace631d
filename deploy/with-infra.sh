#!/usr/bin/env bash
# deploy/with-infra.sh COMMAND...: runs COMMAND with PostgreSQL and Kafka up (KAFKA_CLUSTER=1: the
# three-node cluster of deploy/kafka-cluster.sh) and the topics
# of contracts/topics.json created, then stops whichever of the two it had to start itself.
# A developer's already-running infrastructure is left alone; CI is left with nothing running.
# Exits with COMMAND's status. Used by make test/test-integration/test-e2e/bench and make run.
# Expects make bootstrap to have run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env
cd "$ROOT"

started=()
cleanup() {
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    "$ROOT/deploy/${started[i]}.sh" stop || true
  done
}
trap cleanup EXIT
# Without these an interrupt would end the script before the EXIT trap could stop anything.
trap 'exit 130' INT
trap 'exit 143' TERM

if ! deploy/postgres.sh status >/dev/null; then
  deploy/postgres.sh start
  started+=(postgres)
fi
if [[ ${KAFKA_CLUSTER:-} == 1 ]]; then
  # make run-cluster: the three-node cluster instead of the single broker, every topic on all three.
  export KAFKA_BOOTSTRAP_SERVERS=$KAFKA_CLUSTER_BOOTSTRAP_SERVERS KAFKA_REPLICATION_FACTOR=3
  if ! deploy/kafka-cluster.sh status >/dev/null; then
    deploy/kafka-cluster.sh start
    started+=(kafka-cluster)
  fi
elif ! deploy/kafka.sh status >/dev/null; then
  deploy/kafka.sh start
  started+=(kafka)
fi
# Before any service or test subscribes: a consumer asking for a missing topic would get it
# auto-created with one partition.
"$ROOT/.venv/bin/python" deploy/create_topics.py

set +e
"$@"
status=$?
set -e
exit "$status"
