#!/usr/bin/env bash
# The long reliability runs: fuzzing at depth, then 50 learners under no fault, a killed worker and
# a PostgreSQL restart. Writes docs/RELIABILITY.md. Needs the local PostgreSQL cluster (it is
# restarted once) and about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
out=test-artifacts/reliability
mkdir -p "$out"
export HTTPS=0 SECRET_KEY=${SECRET_KEY:-test-only-secret-key}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-300} FUZZ_REPORT="$out/fuzz.json" \
  .venv/bin/python -m pytest -q tests/test_fuzz.py -p no:cacheprovider
for fault in none kill-worker restart-db; do
  .venv/bin/python -m loadtest.harness --learners 50 --answers 20 --fault "$fault" > "$out/load-$fault.json"
done
.venv/bin/python -m loadtest.report "$out" > docs/RELIABILITY.md
echo "Wrote docs/RELIABILITY.md"
