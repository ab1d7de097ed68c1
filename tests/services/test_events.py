"""The event bus: in-process by default, Redis pub/sub across processes when configured."""

from __future__ import annotations

import time

import pytest

import services
from services import events
from services.events import ChangeEvent, RedisBus
from tests.factories import make_issue, make_user


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_failing_listener_does_not_stop_the_others(db, sent):
    def broken(change):
        raise RuntimeError("page went away")

    user = make_user()
    unsubscribe = events.subscribe(broken)
    try:
        issue = make_issue(user)
    finally:
        unsubscribe()
    assert [e.issue_id for e in sent if e.kind == "issue"] == [issue.id]


def test_events_cross_processes_through_redis(db, redis_client):
    # Two buses with their own origin stand for two web processes on one Redis.
    here = events.configure_bus(None, client=None)
    assert not isinstance(here, RedisBus)
    process_a = RedisBus("redis://unused", client=redis_client)
    process_b = events.configure_bus("redis://unused", client=redis_client)
    received: list[ChangeEvent] = []
    unsubscribe = events.subscribe(received.append)
    try:
        process_b.start_listener()
        assert _wait_for(lambda: redis_client.pubsub_numsub(process_b.channel)[0][1] >= 1)
        change = ChangeEvent("issue", "updated", 7, 3)
        process_a.publish(change)  # a publish from A reaches B's listeners
        assert _wait_for(lambda: change in received)
        user = make_user()
        received.clear()
        issue = make_issue(user)  # a commit in B is delivered once, not echoed back
        time.sleep(0.3)
        assert [e.issue_id for e in received] == [issue.id]
    finally:
        unsubscribe()
        events.configure_bus(None)


def test_redis_down_never_fails_a_write(db, sent):
    bus = events.configure_bus("redis://127.0.0.1:1/0")  # nothing listens there
    started = time.monotonic()
    first = make_issue(make_user())
    second = make_issue(make_user())
    assert time.monotonic() - started < 10
    assert [e.issue_id for e in sent if e.kind == "issue"] == [first.id, second.id]
    with services.session() as s:
        assert services.issues.list_issues(s, services.users.actor_for(s, user_id=1)).total >= 1
    bus.start_listener()  # keeps retrying in the background without raising
    bus.close()


def test_each_redis_database_has_its_own_channel():
    # Redis pub/sub ignores the database number: trackers sharing one server must not hear
    # each other (nor parallel test workers, each on a database of its own).
    import redis

    def channel(url: str) -> str:
        return events.channel_for(redis.Redis.from_url(url))

    assert channel("redis://cache:6379/0") == channel("redis://cache:6379") == events.CHANNEL
    assert channel("redis://cache:6379/14") == f"{events.CHANNEL}:14"
    assert channel("redis://cache:6379/14") != channel("redis://cache:6379/15")


@pytest.mark.parametrize(
    "junk", [b"not json", b'{"origin": "x"}', b'{"origin": "x", "event": {"bad": 1}}']
)
def test_malformed_messages_are_ignored(db, sent, junk):
    bus = RedisBus("redis://unused", client=object())
    bus._receive(junk)
    assert sent == []
