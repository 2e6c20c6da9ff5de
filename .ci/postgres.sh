#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the distributed-sweep tests (#17) and prints its
# URL. Installs the distribution's server if it is not there; the cluster lives in a fresh
# directory under /tmp, owned by the `postgres` user (the server refuses to run as root), on
# a loopback port, with a password-protected role `kreplay` and a database of that name.
# Usage: eval "$(.ci/postgres.sh [port, default 55432])"  # sets KREPLAY_TEST_POSTGRES (the
# URL), KREPLAY_TEST_POSTGRES_ADMIN (psql as the superuser) and KREPLAY_TEST_POSTGRES_CTL
# (pg_ctl for this cluster: append stop or start).
set -euo pipefail
port="${1:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
dir="/tmp/kreplay-pg-$port"
if [ -f "$dir/postmaster.pid" ]; then
  as_postgres "$bin/pg_ctl" -D "$dir" -m immediate stop >&2 || true
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
password="kreplay-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
as_postgres "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >&2
as_postgres "$bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE kreplay LOGIN PASSWORD '$password' CREATEDB" \
  -c "CREATE DATABASE kreplay OWNER kreplay" >&2
echo "export KREPLAY_TEST_POSTGRES='postgres://kreplay:$password@127.0.0.1:$port/kreplay'"
echo "export KREPLAY_TEST_POSTGRES_ADMIN='$bin/psql -h $dir -p $port -U postgres'"
# pg_ctl for this cluster (stop/start), as the user that may run it.
if [ "$(id -u)" = 0 ]; then
  echo "export KREPLAY_TEST_POSTGRES_CTL='runuser -u postgres -- $bin/pg_ctl -D $dir -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off\" -l $dir/log -w'"
else
  echo "export KREPLAY_TEST_POSTGRES_CTL='$bin/pg_ctl -D $dir -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off\" -l $dir/log -w'"
fi
