#!/usr/bin/env bash
# Set up and run the app locally: SQLite unless DATABASE_URL is set; http://127.0.0.1:$PORT
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" - "$PORT" <<'PYEOF'
import socket, sys
port = sys.argv[1]
if not port.isdigit() or not 0 < int(port) < 65536:
    sys.exit(f"PORT must be a number from 1 to 65535, got {port!r}.")
with socket.socket() as s:
    try:
        s.bind(("127.0.0.1", int(port)))
    except OSError:
        sys.exit(f"Port {port} on 127.0.0.1 is taken (is the app already running?). "
                 "Choose another: PORT=8001 make run")
PYEOF
then
  exit 1
fi
bash scripts/bootstrap.sh app
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_questions
echo
echo "GenAI Interview Prep is starting at http://127.0.0.1:$PORT/  (Ctrl+C to stop)"
echo "Create a staff account with: .venv/bin/python manage.py createsuperuser"
echo
# The background-task worker (the LLM coach's calls to the model), stopped when the server stops.
.venv/bin/python manage.py db_worker --no-reload -v0 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT
.venv/bin/python manage.py runserver "127.0.0.1:$PORT"
