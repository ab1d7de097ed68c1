"""A real SMTP server process (aiosmtpd) for the mail tests, keeping what arrives in a
Maildir the tests read."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from tests.workers import free_port


class MailServer:
    def __init__(self, port: int, maildir: Path) -> None:
        self.port = port
        self.maildir = maildir

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def messages(self) -> list[EmailMessage]:
        """What arrived, oldest first."""
        found = [
            (path.stat().st_mtime_ns, path.name, path.read_bytes())
            for folder in ("new", "cur")
            for path in (self.maildir / folder).iterdir()
        ]
        return [
            BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[misc]
            for _, _, raw in sorted(found)
        ]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)


@contextmanager
def smtp_server(tmp: Path) -> Iterator[MailServer]:
    maildir = tmp / "maildir"
    mailbox.Maildir(maildir, create=True)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"aiosmtpd did not start: {err}") from None
                time.sleep(0.05)
        yield MailServer(port, maildir)
    finally:
        process.terminate()
        process.wait(timeout=10)
