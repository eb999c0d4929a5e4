#!/usr/bin/env bash
# Set up and run the app locally: SQLite unless DATABASE_URL is set; http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py createcachetable
.venv/bin/python manage.py seed_questions
echo
echo "GenAI Interview Prep is running at http://127.0.0.1:8000/  (Ctrl+C to stop)"
echo "Create a staff account with: .venv/bin/python manage.py createsuperuser"
echo
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
