"""The Jobs panel, the queue dashboard's door, and the insights page."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func, select

import services
from pages.admin_jobs import JobsPanel
from services.models import JobRun
from tests.factories import make_issue, make_user
from tests.pages.conftest import sign_in


async def test_admins_see_the_jobs_and_can_run_one(user: User, db) -> None:
    sign_in(user, "ADMIN")
    services.jobs.refresh_today()
    await user.open("/admin/jobs")
    await user.should_see("Today's counts (every 5 minutes)")
    await user.should_see("Yesterday's final counts (00:15 UTC)")
    await user.should_see("never")
    user.find(kind=ui.button, content="Recompute today now").click()
    await user.should_see("Today: OPEN", retries=100)


async def test_the_jobs_panel_is_for_admins(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    await user.open("/admin/jobs")
    await user.should_see("Only administrators can see the jobs.")


@pytest.mark.parametrize(
    "role, status", [(None, 303), ("REPORTER", 403), ("MAINTAINER", 403), ("ADMIN", 200)]
)
async def test_the_queue_dashboard_is_for_admins_only(user: User, db, role, status) -> None:
    if role:
        sign_in(user, role)
    response = await user.http_client.get("/rq/", follow_redirects=False)
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"].startswith("/login")


async def test_the_queue_dashboard_refuses_requests_from_other_sites(user: User, db) -> None:
    sign_in(user, "ADMIN")
    response = await user.http_client.get(
        "/rq/requeue/tracker", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


@pytest.fixture
def redis_env(monkeypatch):
    """The app under test runs with Redis (set before the app is built)."""
    if not os.environ.get("TRACKER_TEST_REDIS_URL"):
        pytest.skip("needs the real Redis (TRACKER_TEST_REDIS_URL, set in CI)")
    monkeypatch.setenv("TRACKER_REDIS_URL", os.environ["TRACKER_TEST_REDIS_URL"])


async def test_with_redis_admins_get_the_rq_dashboard(redis_env, create_user, db) -> None:
    browser = create_user()
    sign_in(browser, "ADMIN")
    response = await browser.http_client.get("/rq/")
    assert response.status_code == 200 and "RQ" in response.text
    assert 'href="/admin/jobs"' in response.text  # a way back to the tracker
    services.events.configure_bus(None)


async def test_insights_show_flow_times_and_the_oldest_untriaged(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    make_issue(me, title="Waiting since forever", severity="HIGH")
    await user.open("/insights")
    await user.should_see("Issues by status")
    await user.should_see("Filed and resolved per day")
    await user.should_see("#1 Waiting since forever")
    await user.should_see("won't fix: 0")  # how the issues closed in the range ended
    [table] = user.find(kind=ui.table).elements
    assert {r["severity"] for r in table.rows} == {"Low", "Medium", "High", "Critical"}


async def test_insights_rank_the_most_affected_unresolved_issues(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    original = make_issue(make_user(), title="Checkout is slow")
    dup = make_issue(make_user(), title="Checkout takes ages")
    make_issue(make_user(), title="Lonely issue")
    await user.open("/insights")
    await user.should_see("No unresolved issue has duplicates.")
    with services.session() as s:
        services.duplicates.mark_duplicate(s, me, dup.id, original.id)
    await user.should_see("affects 2 reporters", retries=100)  # live
    await user.should_see(f"#{original.id} Checkout is slow")


async def test_insights_are_not_for_reporters(user: User, db) -> None:
    sign_in(user)
    await user.open("/insights")
    await user.should_see("Insights are for maintainers and admins.")


async def test_insights_say_where_the_history_starts_and_end_live(user: User, db) -> None:
    me = sign_in(user, "ADMIN")
    make_issue(me)
    make_issue(me)
    await user.open("/insights")
    await user.should_see("No daily counts are recorded yet")
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=29)
    await user.should_see(f"tracker stats backfill --since {since.isoformat()}")
    figures = {p.figure["data"][0]["type"]: p.figure for p in user.find(kind=ui.plotly).elements}
    area, flow = figures["scatter"], figures["bar"]
    assert list(area["data"][0]["y"]) == [2]  # today's open issues, live
    assert area["layout"]["xaxis"]["tickformat"] == flow["layout"]["xaxis"]["tickformat"] == "%b %d"
    assert sum(flow["data"][0]["y"]) == 2


async def test_insights_show_top_crashes_and_invoice_sums(user: User, db) -> None:
    from sqlalchemy import select, update

    from services.intake.models import Analysis, CrashSignature

    me = sign_in(user, "MAINTAINER")
    issue = make_issue(me, title="Checkout crashes")
    with services.session() as s:
        services.attachments.save_attachment(
            s, me, issue.id, filename="invoice.txt", content=b"ACME\n"
        )
    with services.session() as s:
        analysis = s.scalar(select(Analysis).where(Analysis.source == "attachment"))
        s.execute(
            update(Analysis)
            .where(Analysis.id == analysis.id)
            .values(
                status="done",
                kind="invoice",
                fields={
                    "total": "99.90",
                    "currency": "EUR",
                    "vendor": "ACME",
                    "invoice_date": "2026-11-02",
                },
            )
        )
        s.add(
            CrashSignature(
                analysis_id=analysis.id,
                issue_id=issue.id,
                fingerprint="abc123",
                language="python",
                exception="KeyError",
                top_frame="checkout.cart.total",
            )
        )
        s.commit()
    await user.open("/insights")
    await user.should_see("Top crash signatures")
    tables = {t.row_key: t for t in user.find(kind=ui.table).elements}
    [crash] = tables["fingerprint"].rows
    assert (crash["exception"], crash["top_frame"]) == ("KeyError", "checkout.cart.total")
    assert (crash["issues"], crash["reporters"]) == (1, 1)
    sums = [t.rows for t in user.find(kind=ui.table).elements if t.row_key == "key"]
    assert [{"key": "2026-11", "currency": "EUR", "count": 1, "total": "99.90"}] in sums
    assert [{"key": "ACME", "currency": "EUR", "count": 1, "total": "99.90"}] in sums


async def test_a_failed_recompute_says_so_plainly_and_shows_no_error_text(
    user: User, db, monkeypatch, caplog
) -> None:
    sign_in(user, "ADMIN")

    def broken(s, day):
        raise RuntimeError("SELECT password_hash FROM users WHERE email = 'ana@example.com'")

    monkeypatch.setattr(services.daily, "refresh_day", broken)
    await user.open("/admin/jobs")
    user.find(kind=ui.button, content="Recompute today now").click()
    await user.should_see("The recompute failed", retries=100)
    await user.should_see("Recent failures")
    await user.should_not_see("password_hash")
    assert any("password_hash" in r.exc_text for r in caplog.records if r.exc_text)  # logged
    caplog.clear()  # the expected error, not one of the page's


async def test_an_admin_demoted_meanwhile_cannot_recompute(user: User, db, monkeypatch) -> None:
    clicked = asyncio.Event()
    original = JobsPanel.run_now

    async def run_now(panel: JobsPanel) -> None:
        try:
            await original(panel)
        finally:
            clicked.set()

    monkeypatch.setattr(JobsPanel, "run_now", run_now)
    me = sign_in(user, "ADMIN")
    await user.open("/admin/jobs")
    with services.session() as s:
        services.users.update_user(s, make_user("ADMIN"), me.id, {"role": "MAINTAINER"})
    user.find(kind=ui.button, content="Recompute today now").click()
    await asyncio.wait_for(clicked.wait(), timeout=30)
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(JobRun)) == 0  # the job never ran


async def test_a_page_that_fails_shows_a_plain_message_not_the_error(
    user: User, db, monkeypatch, caplog
) -> None:
    sign_in(user, "MAINTAINER")

    def broken(s, actor):
        raise RuntimeError("connection to server at 10.0.0.7 failed for user tracker")

    monkeypatch.setattr(services.stats, "counts_by_status", broken)
    response = await user.http_client.get("/")
    assert response.status_code == 500
    assert "10.0.0.7" not in response.text and "RuntimeError" not in response.text
    assert "Something went wrong on our side" in response.text
    assert any("10.0.0.7" in r.exc_text for r in caplog.records if r.exc_text)  # logged
    caplog.clear()  # the expected error, not one of the page's
