"""`tracker mail-in`: real messages on standard input become issues and comments, with
their files checked like uploads; refusals are whole and answered politely, once; automatic
mail is never answered. Answers go through a real SMTP server process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

import services
from services.intake.models import Analysis
from services.models import Attachment, Comment, Issue, User
from tests.factories import PASSWORD
from tests.mailin import messages as m
from tests.mailserver import MailServer, smtp_server
from tracker_app import cli


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[MailServer]:
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def mail_in(data_dir: Path, smtp: MailServer, tracker) -> Callable[..., Result]:
    """`tracker mail-in` with a message on stdin; mail out goes to the test SMTP server."""
    assert tracker("db", "upgrade").exit_code == 0
    for email in ("rita@example.com", "mia@example.com"):
        role = "REPORTER" if email.startswith("rita") else "MAINTAINER"
        created = tracker("create-user", "--email", email, "--role", role, "--password", PASSWORD)
        assert created.exit_code == 0, created.output
    env = {
        "TRACKER_SMTP_URL": smtp.url,
        "TRACKER_MAIL_FROM": "tracker@example.com",
        "TRACKER_BASE_URL": "https://tracker.example.com",
    }

    def run(raw: bytes, **more: str) -> Result:
        return CliRunner().invoke(cli.main, ["mail-in"], input=raw, env=env | more)

    yield run
    services.notify.configure()


def _count(db_session, model) -> int:
    with db_session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_users_message_becomes_an_issue_and_they_get_a_link(mail_in, smtp, db_session):
    result = mail_in(m.raw(m.message()))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "issue #1"
    with db_session() as s:
        issue = s.get(Issue, 1)
        reporter = s.get(User, issue.reporter_id)
        assert (issue.title, issue.description) == (
            "Export button does nothing",
            "Clicking Export shows a spinner forever.",
        )
        assert reporter.email == "rita@example.com"
    [confirmation] = smtp.wait_for(1)
    assert confirmation["To"] == "rita@example.com"
    assert confirmation["Subject"] == "[#1] Export button does nothing"
    assert confirmation["Auto-Submitted"] == "auto-generated"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "https://tracker.example.com/issues/1" in text


def test_a_reply_with_the_issue_number_becomes_a_comment(mail_in, db_session):
    assert mail_in(m.raw(m.message())).exit_code == 0
    reply = m.message(subject="Re: [#1] Export button does nothing", text="It works in Firefox.")
    result = mail_in(m.raw(reply))
    assert result.output.strip() == "comment #1"
    with db_session() as s:
        [comment] = s.scalars(select(Comment)).all()
        assert (comment.issue_id, comment.body) == (1, "It works in Firefox.")
    stranger = m.message("mia@example.com", "Re: [#99] nothing", "hello")
    assert "refused" in mail_in(m.raw(stranger)).output


def test_the_same_message_delivered_twice_is_one_issue(mail_in, db_session):
    raw = m.raw(m.message())
    assert mail_in(raw).output.strip() == "issue #1"
    assert mail_in(raw).output.strip() == "issue #1"
    assert _count(db_session, Issue) == 1


def test_an_unknown_sender_is_refused_politely_once(mail_in, smtp, db_session):
    first = mail_in(m.raw(m.message("stranger@elsewhere.example")))
    assert first.exit_code == 0
    assert "refused: This address has no account in the tracker." in first.output
    again = mail_in(m.raw(m.message("stranger@elsewhere.example", "Second try")))
    assert "refused" in again.output
    [reply] = smtp.wait_for(2, timeout=2)  # one answer only: no mail loops
    assert reply["To"] == "stranger@elsewhere.example"
    assert "could not accept your message" in reply.get_body(("plain",)).get_content()
    assert _count(db_session, Issue) == 0 and _count(db_session, User) == 2


def test_an_allowed_domain_signs_an_unknown_sender_up_as_reporter(mail_in, db_session):
    result = mail_in(
        m.raw(m.message("new.person@client.example")),
        TRACKER_MAIL_IN_DOMAINS="client.example, other.example",
    )
    assert result.output.strip() == "issue #1"
    with db_session() as s:
        user = s.scalar(select(User).where(User.email == "new.person@client.example"))
        assert (user.role, user.full_name) == ("REPORTER", "Rita Reporter")
    refused = mail_in(
        m.raw(m.message("x@client.example")),
        TRACKER_MAIL_IN_DOMAINS="client.example",
        TRACKER_ALLOW_SIGNUP="false",
    )
    assert "refused" in refused.output


def test_auto_replies_and_bounces_are_never_answered(mail_in, smtp, db_session):
    for msg in (m.auto_reply(), m.message("mailer-daemon@mx.example.com", "Undeliverable")):
        result = mail_in(m.raw(msg))
        assert result.output.startswith("ignored"), result.output
    assert smtp.wait_for(1, timeout=1) == []
    assert _count(db_session, Issue) == 0


def test_an_oversized_message_is_refused_whole(mail_in, db_session, data_dir):
    msg = m.message()
    msg.add_attachment(
        b"x" * (2 * 1024 * 1024), maintype="text", subtype="plain", filename="big.log"
    )
    result = mail_in(m.raw(msg), TRACKER_MAIL_IN_MAX_MB="1")
    assert "refused: The message is larger than" in result.output
    assert _count(db_session, Issue) == 0


def test_a_disguised_file_refuses_the_whole_message(mail_in, db_session, data_dir):
    msg = m.message()
    msg.add_attachment(b"fine text\n", maintype="text", subtype="plain", filename="notes.txt")
    msg.add_attachment(
        b"MZ\x90\x00" + b"\x00" * 200, maintype="image", subtype="png", filename="cat.png"
    )
    result = mail_in(m.raw(msg))
    assert "refused" in result.output
    assert _count(db_session, Issue) == 0 and _count(db_session, Attachment) == 0
    uploads = data_dir / "uploads"
    assert not [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else True


def test_html_only_inline_images_charsets_and_forwards_arrive_whole(mail_in, db_session):
    for raw in (
        m.raw(m.html_only()),
        m.raw(m.inline_image()),
        m.latin1(),
        m.raw(m.forwarded()),
    ):
        result = mail_in(raw)
        assert result.output.startswith("issue #"), result.output
    with db_session() as s:
        issues = {i.title: i for i in s.scalars(select(Issue))}
        files = {a.issue_id: a.filename for a in s.scalars(select(Attachment))}
    assert "The chart is empty & grey." in issues["Styled report"].description
    assert "<" not in issues["Styled report"].description
    assert files[issues["Screenshot of the error"].id].endswith(".png")
    assert "Größe" in issues["Speichern schlägt fehl"].description
    forwarded = issues["Wrong invoice"]
    assert "Your invoice is wrong" in forwarded.description
    assert files[forwarded.id] == "customer.pdf"


def test_an_invoice_piped_to_the_command_becomes_an_issue_with_its_fields_read(
    data_dir: Path, tracker, db_session
) -> None:
    """The real command in its own process, as an MTA pipe runs it."""
    assert tracker("db", "upgrade").exit_code == 0
    assert (
        tracker("create-user", "--email", "rita@example.com", "--role", "REPORTER").exit_code == 0
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "tracker_app.cli", "mail-in"],
        input=m.raw(m.with_invoice()),
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == "issue #1"
    with db_session() as s:
        [attachment] = s.scalars(select(Attachment)).all()
        analysis = s.scalar(select(Analysis).where(Analysis.attachment_id == attachment.id))
    assert (attachment.filename, attachment.content_type) == ("invoice.pdf", "application/pdf")
    assert (analysis.status, analysis.kind) == ("done", "invoice")
    assert analysis.fields["total"] == "11479.20"
    assert analysis.fields["invoice_number"] == "2026-6342"


def test_with_the_database_down_the_mta_is_told_to_try_again(data_dir: Path) -> None:
    result = CliRunner().invoke(
        cli.main,
        ["mail-in"],
        input=m.raw(m.message()),
        env={"TRACKER_DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:9/none"},
    )
    assert result.exit_code == 75, result.output
    assert "kept for a later try" in result.output
