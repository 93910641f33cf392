#!/bin/sh
# The entrypoint of compose's postgres-replica: on first start (an empty data directory) a base
# backup of the primary that writes its own standby settings (`pg_basebackup -R`: standby.signal
# and primary_conninfo), then the server, which streams and replays the primary's WAL from then
# on. Runs as the postgres user. Rebuilding it: `docker compose rm -sv postgres-replica` and
# remove its volume.
set -eu

: "${PRIMARY_HOST:?PRIMARY_HOST must be set}"
: "${REPLICATION_DB_USER:?REPLICATION_DB_USER must be set (see .env)}"
: "${REPLICATION_DB_PASSWORD:?REPLICATION_DB_PASSWORD must be set (see .env)}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    export PGPASSWORD="$REPLICATION_DB_PASSWORD"
    until pg_isready --quiet --host "$PRIMARY_HOST" --username "$REPLICATION_DB_USER"; do
        sleep 1
    done
    pg_basebackup --pgdata "$PGDATA" --write-recovery-conf --wal-method stream \
        --checkpoint fast --host "$PRIMARY_HOST" --username "$REPLICATION_DB_USER" --no-password
    unset PGPASSWORD
    chmod 0700 "$PGDATA"
fi

# The password pg_basebackup -R wrote into primary_conninfo stays in the replica's volume only.
# Arguments are the server's options: a standby needs max_connections at least the primary's.
exec postgres -c hot_standby=on "$@"
