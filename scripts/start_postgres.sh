#!/usr/bin/env bash
# Start (or reuse) a throwaway local PostgreSQL for the history-store tests and
# print its URL on stdout. Needs Debian's postgresql (apt-get install -y postgresql).
#
#   scripts/start_postgres.sh [DATADIR] [PORT]      -> postgresql://porescope@127.0.0.1:PORT/postgres
#   scripts/start_postgres.sh --stop [DATADIR]
#
# Then: PORESCOPE_TEST_PG_URL=$(scripts/start_postgres.sh) python -m pytest tests/track/test_store_postgres.py
# As root the server runs as the 'postgres' user (PostgreSQL refuses root).
set -euo pipefail
STOP=0
if [ "${1:-}" = "--stop" ]; then STOP=1; shift; fi
DIR=${1:-/tmp/porescope-pg-$(id -u)}
PORT=${2:-${PORESCOPE_PG_PORT:-54329}}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "start_postgres: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 3
fi
RUN=()
if [ "$(id -u)" = 0 ]; then
  RUN=(runuser -u postgres --)
  mkdir -p "$DIR"
  chown postgres "$DIR"
  chmod 700 "$DIR"
fi
if [ "$STOP" = 1 ]; then
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null 2>&1 || true
  exit 0
fi
if [ ! -f "$DIR/PG_VERSION" ]; then
  "${RUN[@]}" "$BIN/initdb" -D "$DIR" -A trust -U porescope -E UTF8 >/dev/null
fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 30 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
fi
echo "postgresql://porescope@127.0.0.1:$PORT/postgres"
