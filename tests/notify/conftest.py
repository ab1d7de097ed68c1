from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import services
from services import events
from services.notify import dispatch
from tests.mailserver import MailServer, smtp_server


@pytest.fixture
def bells(db: str) -> Iterator[list[events.ChangeEvent]]:
    """The `notification` events this process delivers (whose bell to update)."""
    received: list[events.ChangeEvent] = []

    def receive(change: events.ChangeEvent) -> None:
        if change.kind == "notification":
            received.append(change)

    unsubscribe = events.subscribe(receive)
    yield received
    unsubscribe()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[MailServer]:
    """A real SMTP server process; what it received is read from its Maildir."""
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def mail_on(db: str, smtp: MailServer) -> Iterator[MailServer]:
    """Mail out configured to the test server; bursts end after 0.3 s."""
    configure_mail(smtp.url)
    yield smtp
    dispatch.wait_idle()
    services.notify.configure()


def configure_mail(url: str, **options: object) -> None:
    settings: dict[str, object] = {
        "smtp_url": url,
        "mail_from": "Issues Tracker <tracker@example.com>",
        "base_url": "http://tracker.test",
        "coalesce_seconds": 0.3,
        "backoff": (0.05,),
        "timeout": 5.0,
    }
    services.notify.configure(**(settings | options))
