#!/usr/bin/env bash
# The issue's closing check: the reader + decoder + extractor fuzz target for 10 minutes.
# atheris (libFuzzer) when installed, the built-in mutation fuzzer otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
SECONDS_TO_RUN=${1:-600}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if "$PYTHON" -c "import atheris" 2>/dev/null; then
  exec "$PYTHON" tests/hardening/fuzz_target.py -max_total_time="$SECONDS_TO_RUN" -max_len=16384 -rss_limit_mb=3072 -timeout=20
else
  exec "$PYTHON" tests/hardening/fuzz_target.py --mutate "$SECONDS_TO_RUN"
fi
