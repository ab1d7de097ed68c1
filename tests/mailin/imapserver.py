"""A real IMAP server for the mail-in tests: Debian's Dovecot, run with a configuration of
its own in a temporary folder (TLS with a throwaway certificate, one mailbox user)."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.mailserver import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "inbox@example.com", "imap passphrase 1"
MAIL_UID = 65534  # nobody: Dovecot does not deliver as root


@dataclass(frozen=True)
class ImapServer:
    port: int
    cafile: Path

    @property
    def url(self) -> str:
        login = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"
        return f"imaps://{login}@127.0.0.1:{self.port}"

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.cafile))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            client.append(folder, None, None, raw)
        finally:
            client.logout()

    def count(self, folder: str) -> int:
        client = self.client()
        try:
            status, data = client.select(f'"{folder}"')
            return int(data[0]) if status == "OK" else -1
        finally:
            client.logout()


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    if not Path(DOVECOT).exists():
        pytest.fail(f"{DOVECOT} is missing: install Debian's dovecot-imapd (see .ci/run)")
    if os.geteuid() != 0:
        pytest.skip("Dovecot's own configuration needs root here (it switches to `nobody`)")
    home = Path(tempfile.mkdtemp(prefix="tracker-imap-"))
    home.chmod(0o755)
    try:
        yield _start(home)
    finally:
        pid_file = home / "run" / "master.pid"
        if pid_file.exists():
            subprocess.run([DOVECOT, "-c", str(home / "dovecot.conf"), "stop"], check=False)
            deadline = time.monotonic() + 10
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(home, ignore_errors=True)


def _start(home: Path) -> ImapServer:
    port = free_port()
    (home / "run").mkdir()
    mail_home = home / "mail"
    mail_home.mkdir()
    os.chown(mail_home, MAIL_UID, MAIL_UID)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(home / "key.pem"), "-out", str(home / "cert.pem"),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (home / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{MAIL_UID}:{MAIL_UID}::{mail_home}\n")
    (home / "dovecot.conf").write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
ssl = required
ssl_cert = <{home}/cert.pem
ssl_key = <{home}/key.pem
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {home}/users
}}
userdb {{
  driver = passwd-file
  args = {home}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    subprocess.run([DOVECOT, "-c", str(home / "dovecot.conf")], check=True)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return ImapServer(port, home / "cert.pem")
        except OSError:
            if time.monotonic() > deadline:
                log = home / "dovecot.log"
                why = log.read_text() if log.exists() else "dovecot did not start"
                raise RuntimeError(why) from None
            time.sleep(0.05)
