"""Mail out, through a real SMTP server process: who gets what, bursts become one mail,
digest and off, escaping, one-click unsubscribe headers, retries."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from sqlalchemy import select

import services
from services.notify import digest, dispatch, outbox, unsubscribe
from services.notify.models import MailOutbox, OutboxStatus
from tests.factories import make_issue, team
from tests.mailserver import free_port
from tests.notify.conftest import configure_mail


@pytest.fixture
def people(db):
    return team()


def _prefs(actor, **changes):
    with services.session() as s:
        current = services.notify.get_preferences(s, actor).model_dump()
        services.notify.update_preferences(s, actor, {**current, **changes})


def _status(actor, issue_id, status):
    with services.session() as s:
        services.issues.change_status(s, actor, issue_id, status)


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return text, html


def _outbox() -> list[MailOutbox]:
    with services.session() as s:
        return list(s.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def test_the_reporter_gets_a_mail_with_a_link_and_one_click_unsubscribe(people, mail_on):
    reporter, maintainer = people["reporter"], people["maintainer"]
    issue = make_issue(reporter, title="<b>Invoices</b> & totals wrong")
    _status(maintainer, issue.id, "TRIAGED")
    dispatch.wait_idle()
    [msg] = mail_on.wait_for(1)
    assert msg["To"] == reporter.email
    assert msg["Subject"] == f"[#{issue.id}] <b>Invoices</b> & totals wrong"
    assert msg["Auto-Submitted"] == "auto-generated"
    text, html = _parts(msg)
    assert f"http://tracker.test/issues/{issue.id}" in text
    assert "changed the status from OPEN to TRIAGED" in text
    assert maintainer.full_name in text
    assert "&lt;b&gt;Invoices&lt;/b&gt; &amp; totals wrong" in html and "<b>Invoices" not in html
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = msg["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://tracker.test/mail/unsubscribe?t=")
    with services.session() as s:
        assert unsubscribe.unsubscribe(s, url.split("t=", 1)[1]) == reporter.email
    with services.session() as s:
        assert services.notify.get_preferences(s, reporter).email == "off"
    assert [r.status for r in _outbox()] == [OutboxStatus.SENT]


def test_a_burst_of_changes_on_one_issue_becomes_one_mail(people, mail_on):
    reporter, maintainer = people["reporter"], people["maintainer"]
    configure_mail(mail_on.url, coalesce_seconds=3)  # a burst however slow the machine
    issue = make_issue(reporter, title="Burst")
    with services.session() as s:
        services.issues.change_status(s, maintainer, issue.id, "TRIAGED")
    with services.session() as s:
        services.comments.add_comment(s, maintainer, issue.id, {"body": "Looking."})
    with services.session() as s:
        services.issues.change_status(s, maintainer, issue.id, "IN_PROGRESS")
    dispatch.wait_idle()
    [msg] = mail_on.wait_for(1)
    text, _ = _parts(msg)
    assert text.count(f"{maintainer.full_name} ") == 3
    assert len(mail_on.wait_for(2, timeout=0.5)) == 1  # and nothing more


def test_nobody_is_mailed_about_their_own_change_or_when_mail_is_off(people, mail_on):
    reporter, maintainer = people["reporter"], people["maintainer"]
    _prefs(reporter, email="off")
    issue = make_issue(reporter)
    _status(maintainer, issue.id, "TRIAGED")
    with services.session() as s:
        services.comments.add_comment(s, reporter, issue.id, {"body": "Thanks"})
    dispatch.wait_idle()
    assert mail_on.wait_for(1, timeout=0.5) == []
    with services.session() as s:  # still told in the app
        assert services.notify.unread_count(s, reporter) == 1


def test_the_daily_digest_comes_once_a_day(people, mail_on):
    reporter, maintainer = people["reporter"], people["maintainer"]
    _prefs(reporter, email="digest")
    first, second = make_issue(reporter, title="First"), make_issue(reporter, title="Second")
    _status(maintainer, first.id, "TRIAGED")
    _status(maintainer, second.id, "TRIAGED")
    dispatch.wait_idle()
    assert mail_on.wait_for(1, timeout=0.5) == []  # nothing at once
    early = dt.datetime.now(dt.UTC).replace(hour=3)
    assert digest.send_digests(now=early) == {"digests": 0}  # before the digest hour
    later = early.replace(hour=9)
    assert digest.send_digests(now=later) == {"digests": 1}
    assert digest.send_digests(now=later + dt.timedelta(hours=1)) == {"digests": 0}
    [msg] = mail_on.wait_for(1)
    text, _ = _parts(msg)
    assert msg["Subject"] == "Your daily digest: 2 updates"
    assert "First" in text and "Second" in text and msg["List-Unsubscribe"]


def test_a_failed_send_is_recorded_and_retried_later(people, mail_on):
    reporter, maintainer = people["reporter"], people["maintainer"]
    configure_mail(f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    issue = make_issue(reporter)
    _status(maintainer, issue.id, "TRIAGED")
    dispatch.wait_idle()
    [row] = _outbox()
    assert (row.status, row.attempts) == (OutboxStatus.READY, 2)  # two tries, backoff between
    assert "ConnectionRefusedError" in row.error
    configure_mail(mail_on.url)
    with services.session() as s:  # the retry is due
        s.get(MailOutbox, row.id).not_before = dt.datetime.now(dt.UTC)
        s.commit()
    assert outbox.sweep() == 1
    dispatch.wait_idle()
    assert len(mail_on.wait_for(1)) == 1
    assert [r.status for r in _outbox()] == [OutboxStatus.SENT]


def test_no_mail_about_an_issue_the_recipient_can_no_longer_see(people, mail_on):
    reporter, maintainer, admin = people["reporter"], people["maintainer"], people["admin"]
    configure_mail(mail_on.url, coalesce_seconds=1.0)
    issue = make_issue(reporter)
    with services.session() as s:
        services.issues.assign(s, admin, issue.id, maintainer.id)
    with services.session() as s:  # demoted within the burst
        services.users.update_user(s, admin, maintainer.id, {"role": "REPORTER"})
    dispatch.wait_idle()
    assert mail_on.wait_for(1, timeout=0.5) == []
    assert [r.status for r in _outbox()] == [OutboxStatus.SKIPPED]


def test_a_forged_unsubscribe_link_does_nothing(people, db):
    good = unsubscribe.token(people["reporter"].id)
    with services.session() as s, pytest.raises(services.InvalidInput):
        unsubscribe.unsubscribe(s, good[:-2] + "xx")
    with services.session() as s, pytest.raises(services.InvalidInput):
        unsubscribe.unsubscribe(s, "")
