"""Retries do not duplicate: a create with an idempotency key, sent again, returns the first
result and writes nothing; the same key for another request is refused."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.orm import Session

import services
from services import InvalidInput, PermissionDenied
from services.events import ChangeEvent
from services.idempotency import KEEP
from services.models import Activity, Comment, IdempotencyKey, Issue
from tests.factories import make_issue, make_user
from tests.pgschema import application_name

KEY = "6f1c0a7e-2b1d-4c0e-9a53-8f5b8e1d2c44"


def _count(model) -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def _create(actor, data, key=KEY):
    with services.session() as s:
        return services.issues.create_issue(s, actor, data, idempotency_key=key)


def _comment(actor, issue_id, body, key=KEY):
    with services.session() as s:
        return services.comments.add_comment(
            s, actor, issue_id, {"body": body}, idempotency_key=key
        )


def test_a_retried_create_returns_the_first_issue_and_writes_nothing(db, sent):
    me = make_user()
    sent.clear()
    first = _create(me, {"title": "Printer on fire", "severity": "HIGH"})
    again = _create(me, {"title": "Printer on fire", "severity": "HIGH"})
    assert again == first
    assert again.model_dump_json() == first.model_dump_json()  # the same body, byte for byte
    assert _count(Issue) == 1 and _count(Activity) == 1
    assert sent == [ChangeEvent("issue", "created", first.id, me.id)]  # one event


def test_the_first_result_comes_back_even_after_the_issue_changed(db):
    me, staff = make_user(), make_user("MAINTAINER")
    first = _create(me, {"title": "Scanner jams"})
    with services.session() as s:
        services.issues.change_status(s, staff, first.id, "TRIAGED")
    assert _create(me, {"title": "Scanner jams"}).status == "OPEN"
    assert _count(Issue) == 1


def test_the_same_key_for_another_request_is_refused_and_writes_nothing(db, sent):
    me = make_user()
    first = _create(me, {"title": "Printer on fire"})
    sent.clear()
    for other in ({"title": "Printer on fire", "severity": "LOW"}, {"title": "Another one"}):
        with pytest.raises(InvalidInput) as err:
            _create(me, other)
        assert "Idempotency-Key" in str(err.value) and "different request" in str(err.value)
    with pytest.raises(InvalidInput):  # nor for a comment
        _comment(me, first.id, "hello")
    assert _count(Issue) == 1 and _count(Comment) == 0 and sent == []


def test_keys_are_per_user(db):
    alice, bob = make_user(), make_user()
    a = _create(alice, {"title": "Same words"})
    b = _create(bob, {"title": "Same words"})
    assert a.id != b.id and (a.reporter.id, b.reporter.id) == (alice.id, bob.id)


def test_a_failed_attempt_leaves_no_key_and_its_retry_runs(db):
    me = make_user()
    with pytest.raises(PermissionDenied):  # reporters may not tag
        _create(me, {"title": "Tagged", "tags": ["ui"]})
    assert _count(IdempotencyKey) == 0 and _count(Issue) == 0
    with pytest.raises(InvalidInput):
        _create(me, {"title": "Tagged", "tags": ["ui"]}, key="x" * 256)
    assert _create(me, {"title": "Untagged"}).title == "Untagged"


@pytest.mark.parametrize("key", ["", "has space", "tab\there", "x" * 256, "ünïcode"])
def test_a_malformed_key_is_refused_with_a_clear_message(db, key):
    with pytest.raises(InvalidInput) as err:
        _create(make_user(), {"title": "x"}, key=key)
    assert "Idempotency-Key header must be 1 to 255 visible ASCII characters" in str(err.value)
    assert _count(Issue) == 0


def test_keys_are_kept_a_day_and_then_swept(db):
    me = make_user()
    first = _create(me, {"title": "Kept"})
    _age_keys(KEEP - dt.timedelta(minutes=5))
    assert _create(me, {"title": "Kept"}).id == first.id  # still remembered
    _age_keys(KEEP + dt.timedelta(minutes=5))
    _create(me, {"title": "Someone's next request"}, key="another-key")  # sweeps
    with services.session() as s:
        assert list(s.scalars(select(IdempotencyKey.key))) == ["another-key"]
    assert _create(me, {"title": "Kept"}).id != first.id  # an expired key is a new key


def _age_keys(age: dt.timedelta) -> None:
    with services.session() as s:
        s.execute(update(IdempotencyKey).values(created_at=services.models.utcnow() - age))
        s.commit()


def test_a_retried_comment_returns_the_first_and_writes_nothing(db, sent):
    me = make_user()
    issue = make_issue(me)
    sent.clear()
    first = _comment(me, issue.id, "Still broken")
    assert _comment(me, issue.id, "Still broken") == first
    assert _count(Comment) == 1
    assert sent == [ChangeEvent("comment", "created", issue.id, me.id)]
    with pytest.raises(InvalidInput):  # the same key on another issue is another request
        _comment(me, make_issue(me).id, "Still broken")


def test_concurrent_requests_with_one_key_create_one_issue(db):
    """The first request holds its claim uncommitted while the second arrives with the same
    key: the second waits at the unique constraint and then returns the first's issue."""
    if not db.startswith("postgresql"):
        pytest.skip("SQLite serialises writers before they read (db.begin_write)")
    me = make_user()
    at_commit, release = threading.Event(), threading.Event()

    def hold(session: Session) -> None:
        if threading.current_thread().name == "first":
            at_commit.set()
            release.wait(30)

    event.listen(Session, "before_commit", hold)
    results: dict[str, object] = {}

    def create(name: str) -> None:
        try:
            results[name] = _create(me, {"title": "Clicked twice"})
        except Exception as e:  # reported below
            results[name] = e

    first = threading.Thread(target=create, args=("first",), name="first")
    second = threading.Thread(target=create, args=("second",), name="second")
    try:
        first.start()
        assert at_commit.wait(30)
        second.start()
        _wait_until_blocked_on_a_lock()
    finally:
        release.set()
        first.join(30)
        second.join(30)
        event.remove(Session, "before_commit", hold)
    assert results["first"] == results["second"]
    assert _count(Issue) == 1 and _count(IdempotencyKey) == 1


def _wait_until_blocked_on_a_lock() -> None:
    """Until the second request's insert waits for the first transaction (PostgreSQL)."""
    engine = services.runtime().engine
    for _ in range(600):
        with engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query ILIKE 'INSERT INTO idempotency_keys%' AND application_name = :mine"
                ),
                {"mine": application_name(engine.url)},
            ).scalar()
        if waiting:
            return
        threading.Event().wait(0.05)
    raise AssertionError("the second request never waited for the first one's claim")
