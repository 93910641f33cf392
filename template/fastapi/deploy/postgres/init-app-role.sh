#!/bin/sh
# Creates the role the service connects as. Run once by the postgres image, from
# /docker-entrypoint-initdb.d/, when the data volume is first initialised; afterwards the
# role lives in the volume (changing APP_DB_PASSWORD in .env then needs
# `docker compose down --volumes`, or an ALTER ROLE).
#
# The role can log in and nothing else: not a superuser, cannot bypass row-level security,
# cannot create databases or roles, and owns no table. Tables belong to the owner
# (POSTGRES_USER), whose migrations GRANT this role what it needs.
set -eu

: "${APP_DB_USER:?APP_DB_USER must be set (see .env)}"
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set (see .env)}"

# Values travel as psql variables and are quoted by psql (:"name" as an identifier, :'name'
# as a literal), never pasted into the SQL text by the shell.
psql --no-psqlrc --set ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set app_user="$APP_DB_USER" \
    --set app_password="$APP_DB_PASSWORD" \
    --set database="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"app_user" WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"database" TO :"app_user";
-- Query statistics (`make slow-queries`); compose preloads the library.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SQL

# With a read replica (compose's postgres-replica): a role that may only stream the WAL, and
# the pg_hba entry that lets it connect for replication (read when the server starts for good).
if [ -n "${REPLICATION_DB_USER:-}" ]; then
    : "${REPLICATION_DB_PASSWORD:?REPLICATION_DB_PASSWORD must be set (see .env)}"
    psql --no-psqlrc --set ON_ERROR_STOP=1 \
        --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
        --set replication_user="$REPLICATION_DB_USER" \
        --set replication_password="$REPLICATION_DB_PASSWORD" <<'SQL'
CREATE ROLE :"replication_user" WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'replication_password';
SQL
    echo "host replication \"$REPLICATION_DB_USER\" all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
