"""Tunables of webhook delivery; `configure` sets them from the app's settings (tests
shorten the backoff)."""

from __future__ import annotations

allow_private = False  # TRACKER_WEBHOOK_ALLOW_PRIVATE: allow loopback and private addresses
max_attempts = 6  # per delivery (a re-send starts a new round)
backoff_seconds = 10.0  # before the 2nd attempt; each later wait is 4 times longer
pause_after = 15  # failed attempts in a row that pause an endpoint


def backoff(attempts: int) -> float:
    """Seconds to wait after `attempts` failed attempts: 10 s, 40 s, 160 s, 11 min, 43 min."""
    return backoff_seconds * 4 ** (attempts - 1)
