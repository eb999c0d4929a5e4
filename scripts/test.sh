#!/usr/bin/env bash
# Set up and run the whole test suite on PostgreSQL.
# Database: $DATABASE_URL if set; else the server on 127.0.0.1:5432 if one answers; else a throwaway
# cluster started from the installed PostgreSQL binaries and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
PY=.venv/bin/python
# axe-core for the accessibility test; without Node.js that test skips (and fails in CI).
if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

pg_answers() {
  "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
}

find_pg_bin() {
  local dir
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

run_as_owner() {
  if [ "$(id -un)" = "$PG_OWNER" ]; then "$@"; else runuser -u "$PG_OWNER" -- "$@"; fi
}

stop_throwaway_cluster() {
  run_as_owner "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}

start_throwaway_cluster() {
  local port
  if ! PG_BIN=$(find_pg_bin); then
    echo "ERROR: no PostgreSQL server answers on 127.0.0.1:5432, DATABASE_URL is not set, and no" >&2
    echo "PostgreSQL binaries (initdb) are installed. Install PostgreSQL (e.g. apt-get install" >&2
    echo "postgresql) or set DATABASE_URL=postgres://user@host:port/dbname." >&2
    exit 1
  fi
  PGTMP=$(mktemp -d /tmp/genai-prep-pg.XXXXXX)
  PG_OWNER=$(id -un)
  if [ "$(id -u)" = 0 ]; then  # initdb refuses to run as root
    PG_OWNER=$(getent passwd postgres >/dev/null && echo postgres || echo nobody)
    chown "$PG_OWNER" "$PGTMP"
  fi
  port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "Starting a throwaway PostgreSQL cluster from $PG_BIN on port $port"
  trap stop_throwaway_cluster EXIT
  run_as_owner "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 >/dev/null
  run_as_owner "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PGTMP -c fsync=off" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

if [ -z "${DATABASE_URL:-}" ]; then
  if pg_answers "postgres://postgres@127.0.0.1:5432/postgres"; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
  else
    start_throwaway_cluster
  fi
fi
echo "Testing against ${DATABASE_URL%%\?*}"

export SECRET_KEY=${SECRET_KEY:-test-only-secret-key}
# The suite talks plain HTTP to its own test servers; production keeps HTTPS on (see README).
export HTTPS=0
unset DEBUG
.venv/bin/ruff check .
.venv/bin/ruff format --check .
"$PY" manage.py makemigrations --check --dry-run
"$PY" manage.py collectstatic --noinput -v0
"$PY" -m pytest "$@"
