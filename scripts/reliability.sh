#!/usr/bin/env bash
# The long reliability runs: fuzzing at depth, then 50 learners under no fault, a killed worker and
# a PostgreSQL stop/start (on a private cluster of the harness's own: the shared server is never
# touched). Keeps the raw results in docs/reliability/ and rewrites the measured part of
# docs/RELIABILITY.md from them. About 10 minutes on 2 cores. Sizes: FUZZ_EXAMPLES (300),
# LOAD_LEARNERS (50), LOAD_ANSWERS (20).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
out=docs/reliability
mkdir -p "$out"
export HTTPS=0 SECRET_KEY=${SECRET_KEY:-test-only-secret-key}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
examples=${FUZZ_EXAMPLES:-300}
commit=$(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!docs' || echo "+uncommitted changes")
.venv/bin/python - "$out/run.json" "$commit" "$examples" <<'PYEOF'
import json, os, sys, time
path, commit, examples = sys.argv[1:]
run = {"commit": commit, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
       "cores": os.cpu_count(), "fuzz_examples": int(examples)}
open(path, "w").write(json.dumps(run, indent=2) + "\n")
PYEOF
FUZZ_EXAMPLES=$examples FUZZ_REPORT="$out/fuzz.json" \
  .venv/bin/python -m pytest -q tests/test_fuzz.py -p no:cacheprovider
for fault in none kill-worker restart-db; do
  .venv/bin/python -m loadtest.harness --learners "${LOAD_LEARNERS:-50}" \
    --answers "${LOAD_ANSWERS:-20}" --fault "$fault" > "$out/load-$fault.json"
done
.venv/bin/python -m loadtest.report "$out"
