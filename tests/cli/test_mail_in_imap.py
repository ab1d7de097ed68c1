"""`tracker mail-in --imap`: a real IMAP server (Dovecot) over TLS; every message is handled
once and moved out of the folder, refused ones too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from services.models import Issue
from tests.factories import PASSWORD
from tests.mailin import messages as m
from tests.mailin.imapserver import ImapServer, imap_server
from tracker_app import cli


@pytest.fixture
def imap() -> Iterator[ImapServer]:
    with imap_server() as server:
        yield server


def test_a_mailbox_is_read_over_tls_and_handled_messages_are_moved(
    imap: ImapServer, tracker, db_session, data_dir: Path
) -> None:
    assert tracker("db", "upgrade").exit_code == 0
    created = tracker(
        "create-user", "--email", "rita@example.com", "--role", "REPORTER", "--password", PASSWORD
    )
    assert created.exit_code == 0
    imap.deliver(m.raw(m.with_invoice()))
    imap.deliver(m.raw(m.message("stranger@elsewhere.example", "Who am I")))
    imap.deliver(m.raw(m.auto_reply()))

    env = {"SSL_CERT_FILE": str(imap.cafile)}  # trust the test server's certificate
    result = CliRunner().invoke(cli.main, ["mail-in", "--imap", imap.url], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "issue #1",
        "refused: This address has no account in the tracker.",
        "ignored: Auto-Submitted: auto-replied",
    ]
    with db_session() as s:
        assert [i.title for i in s.scalars(select(Issue))] == ["Invoice total looks wrong"]
    assert imap.count("INBOX") == 0 and imap.count("Tracker-Handled") == 3

    again = CliRunner().invoke(cli.main, ["mail-in", "--imap", imap.url], env=env)
    assert again.exit_code == 0 and again.output == ""  # nothing handled twice


def test_a_server_whose_certificate_is_not_trusted_is_refused(imap: ImapServer, tracker) -> None:
    assert tracker("db", "upgrade").exit_code == 0
    result = CliRunner().invoke(cli.main, ["mail-in", "--imap", imap.url])
    assert result.exit_code == 1
    assert "IMAP:" in result.output and "certificate" in result.output.lower()
