"""Who may change the rules: the maintainer token, compared in constant time and guarded against guessing.

Wrong tokens are counted per browser session and per client address. After ``limit`` wrong
tokens within ``window`` seconds the key is locked out for ``lockout`` seconds, doubling with
each further lock-out; every wrong token and every lock-out is logged with a hash of the
client address, never with the token. The counts live in the serving process: each worker
process guards itself (a lock-out there is per process, which still caps guessing at
``limit`` tries per ``lockout`` per worker).

>>> guard = Throttle(limit=3, window=60.0, lockout=30.0, clock=lambda: 0.0)
>>> [guard.failure(["client:1"]) for _ in range(3)]
[0.0, 0.0, 30.0]
>>> guard.locked(["client:1"]), guard.locked(["client:2"])
(30.0, 0.0)
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("assistant.access")


def token_ok(given: str, expected: str) -> bool:
    """Constant-time comparison; an unset token never matches, so an unconfigured page stays closed."""
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def client_label(address: str | None) -> str:
    """A stable, non-reversible name for a client address, for keys and log lines."""
    return hashlib.sha256((address or "unknown").encode("utf-8")).hexdigest()[:12]


@dataclass
class _Count:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lockouts: int = 0


class Throttle:
    """Counts wrong attempts per key; a key with too many is locked out for a while."""

    def __init__(self, limit: int = 5, window: float = 900.0, lockout: float = 300.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()

    def locked(self, keys: list[str]) -> float:
        """Seconds until every one of ``keys`` may try again (0 when none is locked)."""
        now = self.clock()
        with self._lock:
            return max((max(0.0, c.locked_until - now) for k in keys if (c := self._counts.get(k))), default=0.0)

    def failure(self, keys: list[str]) -> float:
        """Record a wrong attempt for every key; returns the lock-out it caused (0 if none)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                count = self._counts.setdefault(key, _Count())
                count.failures = [t for t in count.failures if now - t < self.window] + [now]
                if len(count.failures) >= self.limit:
                    seconds = self.lockout * 2 ** count.lockouts
                    count.locked_until, count.lockouts, count.failures = now + seconds, count.lockouts + 1, []
                    longest = max(longest, seconds)
                    log.warning("maintainer token: %s locked out for %.0f s after %d wrong tokens",
                                key, seconds, self.limit)
                else:
                    log.info("maintainer token: wrong token from %s (%d of %d)", key, len(count.failures), self.limit)
        return longest

    def success(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._counts.pop(key, None)
