#!/usr/bin/env bash
# Creates the application role and every database named by a *_DB key of
# deploy/stodspar.env, plus a test_ copy of each (the test suite's, TEST_PREFIX=test_).
# Idempotent. Run two ways, as the postgres OS user:
#  - by deploy/postgres.sh setup on a developer/CI machine, which passes PSQL_SUPERUSER=postgres
#    and STODSPAR_DATABASES;
#  - by the official postgres image at first start (docker-compose.yml mounts this folder on
#    /docker-entrypoint-initdb.d and the env file on /stodspar.env); there the superuser is
#    POSTGRES_USER itself and the database names come from the env file.
set -euo pipefail

if [[ -z ${STODSPAR_DATABASES:-} ]]; then
  env_file="$(dirname "${BASH_SOURCE[0]}")/../stodspar.env"
  STODSPAR_DATABASES=$(sed -n 's/^[A-Za-z0-9_]*_DB=\(.*\)$/\1/p' "$env_file" | tr '\n' ' ')
fi
databases=""
for db in $STODSPAR_DATABASES; do databases+="$db,test_$db,"; done

# Names and password travel as psql variables (:'x' / :"x"), so psql does the quoting.
psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 --username "${PSQL_SUPERUSER:-$POSTGRES_USER}" --dbname postgres \
  -v app_user="$POSTGRES_USER" -v app_password="$POSTGRES_PASSWORD" -v databases="${databases%,}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user') \gexec
-- Re-applied every time so a password changed in stodspar.env takes effect.
ALTER ROLE :"app_user" LOGIN CREATEDB PASSWORD :'app_password';
SELECT format('CREATE DATABASE %I OWNER %I', name, :'app_user')
  FROM unnest(string_to_array(:'databases', ',')) AS name
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name) \gexec
SQL
