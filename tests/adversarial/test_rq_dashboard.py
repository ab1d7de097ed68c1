"""Nothing under /rq acts on a GET: rq-dashboard's `/requeue/<queue>` took GET, so a link
or a Markdown image could requeue every failed job with an admin's cookie. Every route of
the dashboard that takes POST now answers GET and HEAD with 405, and the dashboard's own
buttons (same-site POSTs) keep working. Redis is fakeredis here, wired into the real
dashboard mounted on the real app."""

from __future__ import annotations

from collections.abc import Iterator

import fakeredis
import pytest
import rq_dashboard.web
from nicegui import app
from nicegui.testing import User
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from tests.pages.conftest import _app_env, database_url, sign_in  # noqa: F401 (fixtures)
from tracker_app import rqdash

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def redis(user: User, db, monkeypatch) -> Iterator[fakeredis.FakeRedis]:
    """The app's /rq on a fake Redis, and an admin's browser."""
    conn = fakeredis.FakeRedis()
    # The dashboard connects per request for its per-instance views: hand it the fake.
    monkeypatch.setattr(rq_dashboard.web, "from_url", lambda *a, **kw: (None, conn))
    flask = rqdash.flask_app("redis://127.0.0.1:9/0")
    app.remove_route(rqdash.PATH)
    app.mount(rqdash.PATH, rqdash.guarded(flask))
    sign_in(user, "ADMIN")
    yield conn
    conn.close()


def failed_job(conn: fakeredis.FakeRedis) -> Job:
    job = Job.create(func="os.getcwd", connection=conn, origin="default")
    job.save()
    FailedJobRegistry("default", connection=conn).add(job, exc_string="boom")
    return job


def counts(conn: fakeredis.FakeRedis) -> tuple[int, int]:
    """(failed, queued) jobs of the queue."""
    return FailedJobRegistry("default", connection=conn).count, Queue(
        "default", connection=conn
    ).count


async def test_no_dashboard_action_runs_on_a_get(user: User, redis) -> None:
    job = failed_job(redis)
    actions = [
        "/rq/requeue/default",  # rq-dashboard itself accepts GET here
        f"/rq/job/{job.id}/requeue",
        f"/rq/job/{job.id}/delete",
        "/rq/queue/default/failed/empty",
        "/rq/queue/default/compact",
    ]
    for path in actions:
        for method in ("GET", "HEAD"):
            response = await user.http_client.request(method, path, headers=SAME_SITE)
            assert response.status_code == 405, (method, path, response.text)
            assert response.headers["allow"] == "POST", path
    assert counts(redis) == (1, 0)  # still failed, nothing requeued


async def test_the_dashboards_own_buttons_still_work(user: User, redis) -> None:
    first, second = failed_job(redis), failed_job(redis)
    page = await user.http_client.get("/rq/", headers=SAME_SITE)  # views still answer GET
    assert page.status_code == 200 and "RQ dashboard" in page.text
    queues = await user.http_client.get("/rq/0/data/queues.json", headers=SAME_SITE)
    assert queues.status_code == 200 and "queues" in queues.json()
    one = await user.http_client.post(f"/rq/job/{first.id}/requeue", headers=SAME_SITE)
    assert one.status_code == 200 and one.json() == {"status": "OK"}
    assert counts(redis) == (1, 1)
    rest = await user.http_client.post("/rq/requeue/default", headers=SAME_SITE)
    assert rest.status_code == 200 and rest.json() == {"status": "OK", "count": 1}
    assert counts(redis) == (0, 2)
    assert second.id in Queue("default", connection=redis).job_ids
