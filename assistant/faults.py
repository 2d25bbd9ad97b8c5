"""Fault injection for the crash tests: a build that kills itself with SIGKILL at a named stage.

``ASSISTANT_FAULT=<stage>[:<n>]`` makes the process kill itself the ``n``-th time (default the first) it
reaches ``fault_point(stage)``. Unset, every fault point is a no-op that reads one environment variable.

Stages, in the order a build reaches them (``assistant/index/build.py``, ``assistant/index/store.py``):

- ``rollback`` — a rollback has marked the earlier version published in the new snapshot's metadata,
  before anything is embedded or written;
- ``embed`` — before each batch of passages is embedded (``embed:2``: one batch is already in the cache);
- ``meta`` — the new snapshot's ``meta.sqlite`` holds an uncommitted transaction;
- ``faiss`` — ``vectors.faiss`` has been written, not yet synced, and the manifest is missing;
- ``switch`` — the snapshot is complete and renamed into place, ``CURRENT.tmp-<id>`` is written,
  and ``CURRENT`` still names the previous snapshot.

>>> fault_point("embed")        # ASSISTANT_FAULT is unset here: nothing happens
>>> STAGES
('rollback', 'embed', 'meta', 'faiss', 'switch')
"""

from __future__ import annotations

import os
import signal
from typing import Callable, TypeVar

STAGES = ("rollback", "embed", "meta", "faiss", "switch")
VARIABLE = "ASSISTANT_FAULT"
_reached: dict[str, int] = {}
T = TypeVar("T")


def _target() -> tuple[str, int] | None:
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return None
    stage, _, nth = raw.partition(":")
    if stage not in STAGES or (nth and not nth.isdigit()):
        raise SystemExit(f"{VARIABLE}={raw!r}: expected one of {', '.join(STAGES)}, optionally with :N")
    return stage, int(nth or 1)


def fault_point(stage: str) -> None:
    """Kill this process with SIGKILL if ``ASSISTANT_FAULT`` names ``stage`` and this is its ``n``-th arrival."""
    target = _target()
    if target is None or target[0] != stage:
        return
    _reached[stage] = _reached.get(stage, 0) + 1
    if _reached[stage] >= target[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def before_each(fn: Callable[..., T], stage: str) -> Callable[..., T]:
    """``fn`` with ``fault_point(stage)`` called before every call (e.g. before each embedding batch)."""
    def wrapped(*args, **kwargs) -> T:
        fault_point(stage)
        return fn(*args, **kwargs)

    return wrapped
