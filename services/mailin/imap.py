"""`tracker mail-in --imap URL`: read a mailbox over IMAP with TLS, handle each message like
one piped in, and move what was handled (accepted, refused or ignored) to another folder. A
message that could not be handled now (the database down) stays for the next poll."""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import Unavailable
from .receive import Outcome, receive

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    tls: bool  # imaps:// (TLS from the start) or imap:// with STARTTLS, never plain text

    @classmethod
    def from_url(cls, url: str) -> Mailbox:
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap") or not parts.hostname or not parts.username:
            raise ValueError("the IMAP URL must look like imaps://user:password@host[:993]")
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if parts.scheme == "imaps" else 143),
            user=unquote(parts.username),
            password=unquote(parts.password or ""),
            tls=parts.scheme == "imaps",
        )


def poll(
    url: str,
    *,
    folder: str = "INBOX",
    done_folder: str = "Tracker-Handled",
    handle: Callable[[bytes], Outcome] = receive,
    context: ssl.SSLContext | None = None,
) -> list[Outcome]:
    """Handle every message in `folder` once; returns the outcomes."""
    box = Mailbox.from_url(url)
    context = context or ssl.create_default_context()
    client: imaplib.IMAP4
    if box.tls:
        client = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context)
    else:
        client = imaplib.IMAP4(box.host, box.port)
        client.starttls(ssl_context=context)
    outcomes: list[Outcome] = []
    try:
        client.login(box.user, box.password)
        client.create(_quote(done_folder))  # fails harmlessly when it exists
        status, _ = client.select(_quote(folder))
        if status != "OK":
            raise ValueError(f"no folder {folder!r} in the mailbox")
        _, found = client.uid("SEARCH", "ALL")
        for uid in (found[0] or b"").decode().split():
            _, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if not isinstance(raw, bytes):
                continue
            try:
                outcomes.append(handle(raw))
            except Unavailable:
                log.warning("mail-in: the database is unavailable; the message stays")
                break
            _move(client, uid, done_folder)
        client.expunge()
    finally:
        try:
            client.logout()
        except Exception:
            log.debug("IMAP logout failed", exc_info=True)
    return outcomes


def _move(client: imaplib.IMAP4, uid: str, folder: str) -> None:
    if "MOVE" in client.capabilities:
        client.uid("MOVE", uid, _quote(folder))
        return
    client.uid("COPY", uid, _quote(folder))
    client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
