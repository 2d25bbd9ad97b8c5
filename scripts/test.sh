#!/usr/bin/env bash
# Set up everything the tests need, then run pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# Debian packages the tests use: fonts for the PDFs they render, and Chromium for the browser tests
# (Playwright drives Debian's Chromium; `playwright install` is never run). Installed only when missing.
missing=()
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v chromium >/dev/null || missing+=(chromium)
# issue #13's scale tests start their own PostgreSQL and nginx (tests/servers.py); without them they skip
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 || \
    echo "warning: could not install ${missing[*]}; the tests that need them will be skipped" >&2
fi
exec .venv/bin/python -m pytest "$@"
