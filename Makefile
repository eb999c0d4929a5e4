.PHONY: run test serve reliability screenshots benchmark scale

# Set up and run the app at http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set).
run:
	bash scripts/run.sh

# Set up and run the whole test suite on PostgreSQL (see scripts/test.sh for how it finds one).
test:
	bash scripts/test.sh

# Production: gunicorn with production settings (needs SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS).
serve:
	bash scripts/serve.sh

# The long load and fault runs behind docs/RELIABILITY.md (`make test` runs a reduced fault run,
# tests/test_fault_run.py; select it alone with `pytest -m fault_run`).
reliability:
	bash scripts/reliability.sh

# Regenerate the README screenshots (docs/screenshots/) and the full set in test-artifacts/.
screenshots:
	README_SCREENSHOTS=1 bash scripts/test.sh tests/browser/test_accessibility.py -k screenshots

# The performance figures behind docs/PERFORMANCE.md (needs the local PostgreSQL).
benchmark:
	bash scripts/bootstrap.sh && .venv/bin/python -m loadtest.benchmark

scale:
	bash scripts/bootstrap.sh && .venv/bin/python -m loadtest.scale
