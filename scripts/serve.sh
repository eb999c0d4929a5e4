#!/usr/bin/env bash
# Run the app in production: migrate, collect static files, start gunicorn.
# Needs SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS; see README "Production".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh app
: "${SECRET_KEY:?Set SECRET_KEY (50+ random characters)}"
: "${DATABASE_URL:?Set DATABASE_URL (postgres://...)}"
: "${ALLOWED_HOSTS:?Set ALLOWED_HOSTS (comma-separated host names)}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py check --deploy --fail-level WARNING
# Daily reminder mails: a loop beside the web server, every REMINDERS_EVERY seconds (default 300;
# 0 when cron or a systemd timer runs `manage.py send_reminders` instead, see README).
if [ "${REMINDERS_EVERY:-300}" != 0 ]; then
  .venv/bin/python manage.py send_reminders --every "${REMINDERS_EVERY:-300}" &
fi
# Background tasks (the LLM coach's calls to the model) run in TASK_WORKERS db_worker processes
# beside the web server (default 1; 0 when a process manager runs `manage.py db_worker` instead).
for _ in $(seq 1 "${TASK_WORKERS:-1}"); do
  .venv/bin/python manage.py db_worker --no-reload &
done
# Behind a proxy the visitor's address comes from X-Forwarded-For (genai_prep/client.py): listen
# on loopback only, so nobody can reach the app without the proxy and write that header.
case "${BEHIND_PROXY:-}" in
  1|true|True|TRUE|yes|on) default_bind=127.0.0.1:8000 ;;
  *) default_bind=0.0.0.0:8000 ;;
esac
BIND=${BIND:-$default_bind}
exec .venv/bin/gunicorn genai_prep.wsgi:application \
  --bind "$BIND" \
  --workers "${WEB_WORKERS:-3}" \
  --threads "${WEB_THREADS:-4}" \
  --worker-tmp-dir /dev/shm \
  --graceful-timeout 20 \
  --timeout "${WEB_TIMEOUT:-30}" \
  --max-requests "${WEB_MAX_REQUESTS:-5000}" \
  --max-requests-jitter 500 \
  --access-logfile - --logger-class genai_prep.logs.GunicornJsonLogger \
  --error-logfile -
