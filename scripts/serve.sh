#!/usr/bin/env bash
# Set up, (re)build the index of corpus/ when it is missing or stale, and start the service API.
#   ASSISTANT_API_KEYS=key1,key2 scripts/serve.sh        HOST, PORT (8000) and WORKERS (1) are read from the environment
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ASSISTANT_API_KEYS:-}" ] && [ -z "${ASSISTANT_API_KEYS_FILE:-}" ]; then
  echo "error: set ASSISTANT_API_KEYS=key1,key2 (or ASSISTANT_API_KEYS_FILE=FILE, one key per line); make a key with:" >&2
  echo "  python3 -c \"import secrets; print(secrets.token_urlsafe(32))\"" >&2
  exit 2
fi
scripts/setup.sh
# Unchanged files are skipped by content hash, so this is quick on a warm index.
.venv/bin/assistant index corpus/
exec .venv/bin/assistant serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-1}" "$@"
