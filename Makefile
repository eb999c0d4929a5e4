.PHONY: run test

# Set up and run the app at http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set).
run:
	bash scripts/run.sh

# Set up and run the whole test suite on PostgreSQL (see scripts/test.sh for how it finds one).
test:
	bash scripts/test.sh
