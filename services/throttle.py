"""A small in-process rate limiter (sliding window), e.g. sign-in attempts per IP address.

Per process: with several web processes each counts on its own. The shipped proxy keeps
every page and API sign-in or sign-up of one address on one process (deploy/nginx.conf), so
each address is counted in one place; behind a proxy that spreads them, an attacker would
get (processes x limit). Account lockout (services.auth) is the per-account guard.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimit:
    """At most `limit` hits per `window` seconds for each key."""

    def __init__(self, limit: int, window: float, *, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one attempt for `key`; False when the key is over its limit (not counted)."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self.max_keys:
                    self._prune(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _prune(self, now: float) -> None:
        stale = [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]
        for key in stale:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:  # still full of live keys: forget the oldest
            for key in list(self._hits)[: self.max_keys // 10]:
                del self._hits[key]


# Per address, for pages and API alike.
SIGN_IN = RateLimit(limit=30, window=300)
SIGN_UP = RateLimit(limit=10, window=3600)
