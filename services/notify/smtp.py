"""Sending one message through the configured SMTP server (smtp:// with STARTTLS when the
server offers it, or smtps://)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from .config import MailConfig


def send(message: EmailMessage, cfg: MailConfig) -> None:
    """Deliver `message` or raise (smtplib's errors, OSError)."""
    url = urlsplit(cfg.smtp_url or "")
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ValueError("TRACKER_SMTP_URL must look like smtp://host:port or smtps://host:port")
    user = unquote(url.username) if url.username else cfg.smtp_user
    password = unquote(url.password) if url.password else cfg.smtp_password
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if url.scheme == "smtps":
        server = smtplib.SMTP_SSL(
            url.hostname, url.port or 465, timeout=cfg.timeout, context=context
        )
    else:
        server = smtplib.SMTP(url.hostname, url.port or 25, timeout=cfg.timeout)
    with server:
        server.ehlo()
        if url.scheme == "smtp" and server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
        if user:
            server.login(user, password or "")
        server.send_message(message)
