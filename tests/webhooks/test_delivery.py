"""Deliveries to a real loopback receiver: signed, retried after 500 with backoff, every
attempt recorded, an endpoint paused after repeated failures, re-sent by an admin, and
nothing lost between a commit and the hand-over."""

from __future__ import annotations

import datetime as dt
import json
import time

from sqlalchemy import select, update

import services
from services.webhooks import dispatch, net, settings
from services.webhooks.models import WebhookDelivery
from tests.factories import make_issue, make_user
from tests.webhooks.conftest import SECRET, add_endpoint, deliveries


def _settle() -> None:
    assert dispatch.wait_idle(timeout=20)


def test_a_new_issue_is_posted_signed_with_a_timestamp(hooks_on, receiver) -> None:
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url)
    issue = make_issue(make_user("REPORTER"), title="Printer on fire")
    _settle()
    [got] = receiver.received
    timestamp = got.headers[net.TIMESTAMP_HEADER]
    assert abs(int(timestamp) - time.time()) < 60
    assert net.verify(SECRET, timestamp, got.body, got.headers[net.SIGNATURE_HEADER])
    assert not net.verify(
        "another-secret-value", timestamp, got.body, got.headers[net.SIGNATURE_HEADER]
    )
    assert got.headers[net.EVENT_HEADER] == "issue.created"
    payload = got.json
    assert set(payload) == {"event", "delivered_at", "issue"}
    assert payload["event"] == "issue.created"
    assert payload["issue"]["id"] == issue.id and payload["issue"]["title"] == "Printer on fire"
    assert payload["issue"]["version"] == issue.version
    [row] = deliveries(admin, endpoint)
    assert (row.status, row.event, row.issue_id) == ("delivered", "issue.created", issue.id)
    [attempt] = row.attempts
    assert attempt.ok and attempt.status_code == 200 and attempt.duration_ms >= 0


def test_events_are_sent_only_to_endpoints_that_asked(hooks_on, receiver) -> None:
    admin = make_user("ADMIN")
    add_endpoint(admin, receiver.url, ["issue.status_changed", "issue.commented"])
    reporter = make_user("REPORTER")
    issue = make_issue(reporter)
    with services.session() as s:
        services.comments.add_comment(s, reporter, issue.id, {"body": "More detail"})
    with services.session() as s:
        services.issues.change_status(s, admin, issue.id, "TRIAGED", version=issue.version)
    _settle()
    names = sorted(r.json["event"] for r in receiver.received)
    assert names == ["issue.commented", "issue.status_changed"]


def test_a_500_is_retried_with_backoff_until_it_succeeds(hooks_on, receiver) -> None:
    receiver.codes = [500, 500, 200]
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    make_issue(admin)
    _settle()
    assert len(receiver.received) == 3
    assert len({json.dumps(r.json["issue"]) for r in receiver.received}) == 1  # the same issue
    assert len({r.json["delivered_at"] for r in receiver.received}) == 3  # each attempt's
    for r in receiver.received:
        ts = r.headers[net.TIMESTAMP_HEADER]
        assert net.verify(SECRET, ts, r.body, r.headers[net.SIGNATURE_HEADER])
    [row] = deliveries(admin, endpoint)
    assert row.status == "delivered"
    assert [a.status_code for a in row.attempts] == [500, 500, 200]
    assert [a.ok for a in row.attempts] == [False, False, True]
    gaps = [
        (b.started_at - a.started_at).total_seconds()
        for a, b in zip(row.attempts, row.attempts[1:], strict=False)
    ]
    assert gaps[0] >= settings.backoff(1) * 0.9 and gaps[1] >= settings.backoff(2) * 0.9
    assert settings.backoff(2) == 4 * settings.backoff(1)


def test_an_endpoint_failing_repeatedly_is_paused_and_can_be_resumed(
    hooks_on, receiver, monkeypatch
) -> None:
    monkeypatch.setattr(settings, "pause_after", 2)
    monkeypatch.setattr(settings, "max_attempts", 5)
    receiver.codes = [500]
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    make_issue(admin)
    _settle()
    assert len(receiver.received) == 2  # paused after two failures: no third attempt
    with services.session() as s:
        [view] = services.webhooks.list_endpoints(s, admin)
    assert view.paused and view.paused_at is not None and view.failures == 2
    make_issue(admin)  # recorded while paused, sent on resume
    _settle()
    assert len(receiver.received) == 2
    receiver.codes = [200]
    with services.session() as s:
        resumed = services.webhooks.resume_endpoint(s, admin, endpoint)
    assert not resumed.paused and resumed.failures == 0
    _settle()
    assert {r.status for r in deliveries(admin, endpoint)} == {"delivered"}
    assert len(receiver.received) == 4


def test_a_failed_delivery_can_be_sent_again(hooks_on, receiver) -> None:
    receiver.codes = [500]
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    make_issue(admin)
    _settle()
    [row] = deliveries(admin, endpoint)
    assert row.status == "failed" and len(row.attempts) == 3
    receiver.codes = [200]
    with services.session() as s:
        services.webhooks.resend_delivery(s, admin, row.id)
    _settle()
    [row] = deliveries(admin, endpoint)
    assert row.status == "delivered" and [a.ok for a in row.attempts] == [False] * 3 + [True]


def test_a_redirect_is_not_followed(hooks_on, receiver, monkeypatch) -> None:
    monkeypatch.setattr(settings, "max_attempts", 1)
    receiver.codes = [302]
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    make_issue(admin)
    _settle()
    [row] = deliveries(admin, endpoint)
    assert row.status == "failed" and "redirect" in row.error
    assert len(receiver.received) == 1


def test_a_crash_between_commit_and_hand_over_loses_nothing(hooks_on, receiver, monkeypatch):
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    monkeypatch.setattr(dispatch, "enabled", False)  # the process "dies" before handing over
    issue = make_issue(admin)
    [row] = deliveries(admin, endpoint)
    assert row.status == "pending" and receiver.received == []
    assert services.webhooks.sweep() == 0  # not yet overdue: a hand-over may be under way
    with services.session() as s:
        s.execute(
            update(WebhookDelivery).values(
                next_attempt_at=services.webhooks.models.utcnow() - dt.timedelta(minutes=5)
            )
        )
        s.commit()
    monkeypatch.setattr(dispatch, "enabled", True)
    assert services.webhooks.sweep() == 1
    _settle()
    assert [r.json["issue"]["id"] for r in receiver.received] == [issue.id]


def test_a_rolled_back_write_records_no_delivery(hooks_on, receiver) -> None:
    admin = make_user("ADMIN")
    add_endpoint(admin, receiver.url)
    issue = make_issue(admin)
    _settle()
    before = len(receiver.received)
    try:
        with services.session() as s:
            services.issues.change_status(s, admin, issue.id, "TRIAGED", version=issue.version + 7)
    except services.Conflict:
        pass
    _settle()
    with services.session() as s:
        rows = s.scalars(select(WebhookDelivery.event)).all()
    assert rows == ["issue.created"] and len(receiver.received) == before


def test_a_finished_analysis_of_a_file_is_sent(hooks_on, receiver) -> None:
    from services.intake import pipeline
    from services.intake.models import Analysis

    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["attachment.analysed"])
    issue = make_issue(admin)
    with services.session() as s:
        file = services.attachments.save_attachment(
            s, admin, issue.id, filename="a.log", content=b"line one\n"
        )
    with services.session() as s:
        analysis_id = s.scalar(select(Analysis.id).where(Analysis.attachment_id == file.id))
    assert deliveries(admin, endpoint) == []  # attached, not yet read
    pipeline.run_analysis(analysis_id)
    _settle()
    [got] = receiver.received
    assert got.json["event"] == "attachment.analysed" and got.json["issue"]["id"] == issue.id
    assert [a["id"] for a in got.json["issue"]["attachments"]] == [file.id]


def test_the_sweep_forgets_finished_deliveries_after_a_month(hooks_on, receiver) -> None:
    admin = make_user("ADMIN")
    endpoint = add_endpoint(admin, receiver.url, ["issue.created"])
    make_issue(admin)
    make_issue(admin)
    _settle()
    first, second = sorted(r.id for r in deliveries(admin, endpoint))
    with services.session() as s:
        s.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == first)
            .values(created_at=services.webhooks.models.utcnow() - dt.timedelta(days=31))
        )
        s.commit()
    services.webhooks.sweep()
    assert [r.id for r in deliveries(admin, endpoint)] == [second]
