"""With Redis, a burst's mail is scheduled on the `tracker-mail` RQ queue for the end of its
burst, and `tracker worker` (with its scheduler) sends it; Redis down at the commit loses
nothing: the sweep hands the mail over later."""

from __future__ import annotations

import dataclasses
import time

import pytest
from rq import Queue
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler
from sqlalchemy import select

import services
from services import background
from services.notify import dispatch, outbox
from services.notify.models import MailOutbox, OutboxStatus
from tests.conftest import REDIS_URL
from tests.factories import make_issue, team
from tracker_app import worker


@pytest.fixture
def with_redis(mail_on, redis_client, monkeypatch):
    runtime = services.runtime()
    monkeypatch.setattr(
        services.db, "_runtime", dataclasses.replace(runtime, redis_url="redis://x")
    )
    monkeypatch.setattr(background, "redis_connection", lambda url: redis_client)
    queue = Queue(dispatch.QUEUE, connection=redis_client)
    registry = ScheduledJobRegistry(queue=queue)
    if REDIS_URL:  # the real server may hold other runs' jobs (fakeredis starts empty)
        queue.empty()
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    yield queue
    if REDIS_URL:
        queue.empty()
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)


def _statuses() -> list[str]:
    with services.session() as s:
        return list(s.scalars(select(MailOutbox.status).order_by(MailOutbox.id)))


def test_a_worker_sends_the_burst_when_it_is_over(with_redis, redis_client, mail_on) -> None:
    people = team()
    issue = make_issue(people["reporter"])
    with services.session() as s:
        services.issues.change_status(s, people["maintainer"], issue.id, "TRIAGED")
    assert ScheduledJobRegistry(queue=with_redis).count == 1  # for the end of the burst
    time.sleep(1.2)  # the burst (0.3 s) is over; RQ's scheduler works in whole seconds
    # What the worker's scheduler does once a second (without its lock, which another
    # worker on this Redis may hold for a minute).
    scheduler = RQScheduler([with_redis], connection=redis_client)
    scheduler.prepare_registries([dispatch.QUEUE])
    scheduler.enqueue_scheduled_jobs()
    queues = [Queue(name, connection=redis_client) for name in worker.queue_names()]
    worker.SimpleWorker(queues, connection=redis_client).work(burst=True)
    assert _statuses() == [OutboxStatus.SENT]
    assert len(mail_on.wait_for(1)) == 1


def test_redis_down_at_commit_loses_no_mail(with_redis, monkeypatch, mail_on) -> None:
    def down(url):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(background, "redis_connection", down)
    people = team()
    issue = make_issue(people["reporter"])
    with services.session() as s:  # saved, whatever the queue says
        services.issues.change_status(s, people["maintainer"], issue.id, "TRIAGED")
    assert _statuses() == [OutboxStatus.PENDING]
    monkeypatch.setattr(dispatch, "enabled", False)  # the sweep's hand-over: run it here
    time.sleep(0.4)
    assert outbox.sweep() == 1
    [row_id] = _ids()
    outbox.deliver(row_id)
    assert _statuses() == [OutboxStatus.SENT]


def _ids() -> list[int]:
    with services.session() as s:
        return list(s.scalars(select(MailOutbox.id)))
