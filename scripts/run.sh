#!/usr/bin/env bash
# Set up, (re)build the index of corpus/ when it is missing or stale, and start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Unchanged files are skipped by content hash, so this is quick on a warm index.
.venv/bin/assistant index corpus/
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false \
  --server.port "${PORT:-8501}" "$@"
