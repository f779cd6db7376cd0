#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for the tests.
#
#   scripts/pg-test-server.sh start DIR   start a cluster under DIR (created, must not exist
#                                         or be empty); prints the SQLAlchemy URL and
#                                         writes it to DIR/url
#   scripts/pg-test-server.sh stop DIR    stop it and remove DIR
#
# Uses Debian's packages (postgresql, postgresql-postgis) from /usr/lib/postgresql/*/bin.
# The cluster listens only on 127.0.0.1 (a free port) and on a unix socket inside DIR,
# with trust authentication for the local user: it is for tests, never for data.
# Run as root, the cluster belongs to the `postgres` user (initdb refuses root).
set -euo pipefail

die() { echo "pg-test-server: $*" >&2; exit 1; }

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop DIR"

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir=$d; break; fi
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1; then
  d=$(pg_config --bindir)
  [ -x "$d/initdb" ] && bindir=$d
fi

owner=$(id -un)
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
  if command -v runuser >/dev/null 2>&1; then
    as_owner() { runuser -u "$owner" -- "$@"; }
  else
    as_owner() { su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"; }
  fi
fi

case "$cmd" in
start)
  [ -n "$bindir" ] || die "PostgreSQL server programs (initdb, pg_ctl) not found; install the Debian package 'postgresql'"
  version=$(basename "$(dirname "$bindir")")
  sharedir=$("$bindir/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$version")
  [ -f "$sharedir/extension/postgis.control" ] \
    || die "PostGIS for PostgreSQL $version is not installed ($sharedir/extension/postgis.control missing); install the Debian package 'postgresql-postgis' (or postgresql-$version-postgis-3)"
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then die "$dir exists and is not empty"; fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  chmod 0755 "$dir"
  mkdir -p "$dir/data" "$dir/socket"
  chown "$owner" "$dir" "$dir/data" "$dir/socket"
  chmod 0700 "$dir/data"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  started=""
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=30 -c shared_buffers=32MB" \
        start >"$dir/pg_ctl.log" 2>&1; then
      started=1; break
    fi
    sleep 0.5
  done
  if [ -z "$started" ]; then
    cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null || true
    die "the server did not start (see $dir/server.log)"
  fi
  echo "$port" >"$dir/port"
  psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" -U postgres)
  as_owner "${psql[@]}" -d postgres -c "CREATE DATABASE ntmgis_test" >/dev/null \
    || die "could not create the test database"
  as_owner "${psql[@]}" -d ntmgis_test -c "CREATE EXTENSION postgis" >/dev/null \
    || die "CREATE EXTENSION postgis failed (see $dir/server.log)"
  url="postgresql+psycopg://postgres@127.0.0.1:$port/ntmgis_test"
  echo "$url" >"$dir/url"
  echo "$url"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  die "unknown command '$cmd'; use start or stop"
  ;;
esac
