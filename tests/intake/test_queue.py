"""With Redis, analyses go to the `tracker-intake` RQ queue that `tracker worker` serves;
with Redis down at the moment of the commit the issue is still saved, and the sweep hands the
analysis over once Redis is back."""

from __future__ import annotations

import dataclasses

import pytest
from rq import Queue
from sqlalchemy import select

import services
from services import background
from services.intake import dispatch, pipeline
from services.intake.models import Analysis, AnalysisStatus
from tests.conftest import REDIS_URL
from tests.factories import make_issue, make_user
from tracker_app import worker


@pytest.fixture
def with_redis(db, redis_client, monkeypatch):
    runtime = services.runtime()
    monkeypatch.setattr(
        services.db, "_runtime", dataclasses.replace(runtime, redis_url="redis://x")
    )
    monkeypatch.setattr(background, "redis_connection", lambda url: redis_client)
    monkeypatch.setattr(dispatch, "enabled", True)
    queue = Queue(dispatch.QUEUE, connection=redis_client)
    if REDIS_URL:  # the real server may hold other runs' jobs (fakeredis starts empty)
        queue.empty()
    yield queue
    if REDIS_URL:
        queue.empty()


def _statuses() -> list[str]:
    with services.session() as s:
        return sorted(s.scalars(select(Analysis.status)))


def test_a_worker_serves_the_intake_queue(with_redis, redis_client) -> None:
    me = make_user()
    issue = make_issue(me, description="A long log:\n" + "x" * pipeline.INLINE_CHARS)
    with services.session() as s:
        services.attachments.save_attachment(s, me, issue.id, filename="a.log", content=b"x\n")
    assert with_redis.count == 2  # the long description and the file, after the commit
    assert _statuses() == ["pending", "pending"]
    queues = [Queue(name, connection=redis_client) for name in (worker.QUEUE, dispatch.QUEUE)]
    worker.SimpleWorker(queues, connection=redis_client).work(burst=True)
    assert _statuses() == [AnalysisStatus.DONE, AnalysisStatus.DONE]


def test_redis_down_at_commit_loses_nothing(with_redis, monkeypatch, caplog) -> None:
    def down(url):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(background, "redis_connection", down)
    me = make_user()
    with services.session() as s:  # saved, whatever the queue says
        services.attachments.save_attachment(
            s, me, (issue := make_issue(me)).id, filename="a.log", content=b"x\n"
        )
    assert _statuses() == ["done", "pending"]  # a short description is read at once
    assert "the sweep retries" in caplog.text
    with services.session() as s:
        assert services.issues.get_issue(s, me, issue.id).title == issue.title
