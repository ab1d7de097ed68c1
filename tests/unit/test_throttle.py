"""The sliding-window rate limiter behind the sign-in throttle."""

from __future__ import annotations

from services.throttle import RateLimit


def test_a_key_is_refused_past_its_limit_and_others_are_not(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("services.throttle.time.monotonic", lambda: clock[0])
    limit = RateLimit(limit=3, window=60)
    assert [limit.hit("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limit.hit("10.0.0.2")
    clock[0] += 61  # the window slides on
    assert limit.hit("10.0.0.1")


def test_memory_stays_bounded_under_many_keys(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr("services.throttle.time.monotonic", lambda: clock[0])
    limit = RateLimit(limit=1, window=10, max_keys=100)
    for n in range(1000):
        clock[0] += 0.001
        assert limit.hit(f"addr-{n}")
    assert len(limit._hits) <= 100
