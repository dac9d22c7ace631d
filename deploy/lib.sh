# shellcheck shell=bash
# Shared helpers for the deploy/*.sh scripts; sourced, never run.
# Kept in one place so that every script reads deploy/stodspar.env the same way and
# probes ports the same way.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC2034  # used by the scripts that source this file
STATE_DIR="$ROOT/.state"      # runtime data (Kafka log dirs, pid files, logs); ignored by git
# shellcheck disable=SC2034
CACHE_DIR="$ROOT/.cache"      # downloaded artifacts (Kafka jars); ignored by git
ENV_FILE="$ROOT/deploy/stodspar.env"

# Exports every KEY=VALUE of deploy/stodspar.env that the caller has not already set, so
# `make` (which exports the same file) and a bare `deploy/kafka.sh start` see the same values,
# while an explicit override in the environment still wins.
load_env() {
  local key value
  while IFS='=' read -r key value; do
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue   # skips comments and blank lines
    [[ -n ${!key+set} ]] || export "$key=$value"
  done <"$ENV_FILE"
}

# Names of the databases the system uses: the value of every *_DB key in the env file.
database_names() {
  local key
  for key in $(sed -n 's/^\([A-Za-z0-9_]*_DB\)=.*/\1/p' "$ENV_FILE"); do
    echo "${!key}"
  done
}

say() { echo "[$(basename "$0")] $*"; }
die() { echo "[$(basename "$0")] ERROR: $*" >&2; exit 1; }

# True if something accepts TCP connections on host:port. bash's /dev/tcp avoids needing
# nc/ss on a fresh machine; `timeout` keeps a filtered port from hanging us.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# wait_for_port HOST PORT SECONDS: returns 1 if the port is still closed after SECONDS.
wait_for_port() {
  local deadline=$((SECONDS + $3))
  until port_open "$1" "$2"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}
