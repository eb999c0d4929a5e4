#!/usr/bin/env bash
# Create .venv and install the project (idempotent, quick when up to date).
# `bootstrap.sh` installs the app with its test tools (make test); `bootstrap.sh app` only what the
# app needs to run (make run, make serve).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ "${1:-}" = app ]; then
  stamp=.venv/.installed-app target="."
  # An install with the test tools holds everything the app needs.
  if [ -f .venv/.installed ] && [ ! pyproject.toml -nt .venv/.installed ]; then exit 0; fi
else
  stamp=.venv/.installed target=".[test]"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e "$target"
  touch "$stamp"
fi
