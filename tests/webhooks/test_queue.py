"""With Redis, deliveries go to the `tracker-webhooks` RQ queue that `tracker worker`
serves; a retry is scheduled on it (enqueue_in) rather than waited for in a worker; Redis
down at the commit loses nothing."""

from __future__ import annotations

import dataclasses

import pytest
from rq import Queue

import services
from services import background
from services.webhooks import dispatch
from tests.conftest import REDIS_URL
from tests.factories import make_issue, make_user
from tests.webhooks.conftest import add_endpoint, deliveries
from tracker_app import worker


@pytest.fixture
def with_redis(hooks_on, redis_client, monkeypatch):
    runtime = services.runtime()
    monkeypatch.setattr(
        services.db, "_runtime", dataclasses.replace(runtime, redis_url="redis://x")
    )
    monkeypatch.setattr(background, "redis_connection", lambda url: redis_client)
    queue = Queue(dispatch.QUEUE, connection=redis_client)
    if REDIS_URL:  # the real server may hold other runs' jobs (fakeredis starts empty)
        queue.empty()
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id)
    yield queue
    if REDIS_URL:
        queue.empty()
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id)


def test_a_worker_serves_the_webhook_queue(with_redis, redis_client, receiver) -> None:
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    receiver.codes = [500, 200]
    make_issue(admin)
    assert with_redis.count == 1
    queues = [Queue(name, connection=redis_client) for name in worker_queues()]
    worker.SimpleWorker(queues, connection=redis_client).work(burst=True)
    [row] = deliveries(admin, endpoint)
    assert row.status == "pending" and [a.status_code for a in row.attempts] == [500]
    assert with_redis.scheduled_job_registry.count == 1  # the retry, after its backoff


def test_redis_down_at_commit_loses_nothing(with_redis, monkeypatch, receiver, caplog) -> None:
    def down(url):
        raise ConnectionError("Redis is down")

    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    monkeypatch.setattr(background, "redis_connection", down)
    make_issue(admin)
    assert "the sweep retries" in caplog.text
    [row] = deliveries(admin, endpoint)
    assert row.status == "pending"


def worker_queues() -> list[str]:
    return [worker.QUEUE, dispatch.QUEUE]
