#!/usr/bin/env bash
# Set up everything the tests need, then run pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# Fonts for the PDFs the tests render (Debian package; present on most machines already).
if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core) >/dev/null 2>&1 || \
    echo "warning: could not install fonts-dejavu-core; PDF tests will be skipped" >&2
fi
exec .venv/bin/python -m pytest "$@"
