#!/usr/bin/env bash
# Runs the machine's PostgreSQL (Debian package, cluster "main") for development and tests.
#
#   deploy/postgres.sh install   apt-get install postgresql if it is missing
#   deploy/postgres.sh start     start the cluster unless it is online
#   deploy/postgres.sh setup     role + databases from deploy/stodspar.env (idempotent); starts
#                                the cluster for the purpose if needed and stops it again after
#   deploy/postgres.sh stop      stop the cluster
#   deploy/postgres.sh status    exit 0 if the cluster is online
#
# The version is read from pg_lsclusters rather than assumed (bookworm ships 15).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_env

CLUSTER=main

# PostgreSQL refuses to run as root; pg_ctlcluster switches to the cluster owner itself, but
# psql must be run as the postgres OS user to log in through peer authentication.
# Run from / so the postgres user is never left in a directory it may not read.
as_postgres() {
  if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else (cd / && sudo -u postgres -- "$@"); fi
}
as_root() {
  if ((EUID == 0)); then "$@"; else sudo "$@"; fi
}

# Prints "VERSION PORT STATUS" of our cluster, or fails if there is none.
cluster_line() {
  command -v pg_lsclusters >/dev/null || return 1
  pg_lsclusters --no-header 2>/dev/null | awk -v c="$CLUSTER" '$2 == c { print $1, $3, $4; found=1; exit } END { exit !found }'
}
cluster_version() { cluster_line | cut -d' ' -f1; }

cmd_install() {
  if cluster_line >/dev/null; then
    return 0
  fi
  if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    say "installing PostgreSQL (Debian package postgresql)"
    "$(dirname "${BASH_SOURCE[0]}")/apt-repair.sh"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
  fi
  # The package creates the cluster; this covers a machine where it was dropped since.
  if ! cluster_line >/dev/null; then
    local version
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)
    say "creating cluster $version/$CLUSTER"
    as_root pg_createcluster "$version" "$CLUSTER"
  fi
}

cmd_status() {
  local line version port status
  line=$(cluster_line) || { say "no PostgreSQL cluster (run: deploy/postgres.sh install)"; return 1; }
  read -r version port status <<<"$line"
  if [[ $status == online ]]; then
    say "PostgreSQL $version/$CLUSTER online on port $port"
  else
    say "PostgreSQL $version/$CLUSTER $status"
    return 1
  fi
}

cmd_start() {
  local line version port status
  line=$(cluster_line) || die "no PostgreSQL cluster; run deploy/postgres.sh install (or make bootstrap)"
  read -r version port status <<<"$line"
  # Everything else reaches the server through POSTGRES_PORT; a cluster on another port
  # would look like a dead database.
  [[ $port == "$POSTGRES_PORT" ]] || die "cluster $version/$CLUSTER listens on port $port but deploy/stodspar.env says POSTGRES_PORT=$POSTGRES_PORT"
  [[ $status == online ]] && return 0
  say "starting PostgreSQL $version/$CLUSTER"
  as_root pg_ctlcluster "$version" "$CLUSTER" start
}

cmd_stop() {
  local version
  version=$(cluster_version) || return 0
  cmd_status >/dev/null || return 0
  say "stopping PostgreSQL $version/$CLUSTER"
  as_root pg_ctlcluster "$version" "$CLUSTER" stop
}

psql_superuser() {
  as_postgres psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --dbname postgres "$@"
}

cmd_setup() {
  local was_online=1
  cmd_status >/dev/null || was_online=0
  cmd_start

  # Role and databases: the same script the docker-compose postgres runs at first start.
  # Fed on stdin: the postgres user may not be able to read a checkout under someone's home.
  as_postgres env PSQL_SUPERUSER=postgres POSTGRES_USER="$POSTGRES_USER" POSTGRES_PASSWORD="$POSTGRES_PASSWORD" \
    STODSPAR_DATABASES="$(database_names | tr '\n' ' ')" \
    bash -s <"$ROOT/deploy/postgres-init/10-stodspar.sh"

  # ALTER SYSTEM writes postgresql.auto.conf; max_connections only changes on restart.
  local current
  current=$(psql_superuser -Atc "SHOW max_connections")
  if ((current < POSTGRES_MAX_CONNECTIONS)); then
    say "raising max_connections $current -> $POSTGRES_MAX_CONNECTIONS (restart)"
    psql_superuser -c "ALTER SYSTEM SET max_connections = $POSTGRES_MAX_CONNECTIONS"
    as_root pg_ctlcluster "$(cluster_version)" "$CLUSTER" restart
  fi

  check_password_login || allow_password_login

  ((was_online)) || cmd_stop
}

# What the services do: a password login over TCP. Debian's default pg_hba.conf allows it
# (scram-sha-256 for 127.0.0.1/32); this proves it rather than trusting it.
check_password_login() {
  PGPASSWORD="$POSTGRES_PASSWORD" psql --no-psqlrc -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" \
    -U "$POSTGRES_USER" -d "$(database_names | head -n1)" -Atc 'SELECT 1' >/dev/null 2>&1
}

allow_password_login() {
  local hba
  hba=$(psql_superuser -Atc "SHOW hba_file")
  say "password login on $POSTGRES_HOST failed; allowing it in $hba"
  # pg_hba.conf is first-match, so the rule must come before any reject/peer line.
  as_root sed -i "1i host all $POSTGRES_USER $POSTGRES_HOST/32 scram-sha-256" "$hba"
  psql_superuser -c "SELECT pg_reload_conf()" >/dev/null
  check_password_login || die "still cannot log in as $POSTGRES_USER on $POSTGRES_HOST:$POSTGRES_PORT with the password from deploy/stodspar.env"
}

# Writes every changed page to disk (CHECKPOINT, a WAL switch) and prints the data directory:
# the disposal test reads what is on disk, pages and WAL, as someone with a backup would.
cmd_flush() {
  psql_superuser -Atc "CHECKPOINT" -c "SELECT pg_switch_wal()" >/dev/null
  psql_superuser -Atc "SHOW data_directory"
}

case "${1:-}" in
  install | start | stop | status | setup | flush) "cmd_$1" ;;
  *) echo "usage: $0 install|start|setup|stop|status|flush" >&2; exit 2 ;;
esac
