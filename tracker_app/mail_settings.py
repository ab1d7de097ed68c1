"""Mail settings from the environment (documented in the README): TRACKER_SMTP_URL and
friends for mail out, TRACKER_MAIL_IN_* for mail in. Read when the services are connected,
so a bad value stops `tracker serve`, `worker` and `mail-in` at start."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from services.mailin import MailInPolicy
from services.notify import MailConfig

from .settings import SettingsError


def mail_config(environ: dict[str, str] | None = None) -> MailConfig:
    env = os.environ if environ is None else environ
    url = (env.get("TRACKER_SMTP_URL") or "").strip() or None
    mail_from = (env.get("TRACKER_MAIL_FROM") or "").strip()
    base_url = (env.get("TRACKER_BASE_URL") or "").strip() or "http://localhost:8080"
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SettingsError(
                "TRACKER_SMTP_URL must look like smtp://host:587 or smtps://user:password@host:465."
            )
        if not mail_from:
            raise SettingsError("TRACKER_MAIL_FROM must be set when TRACKER_SMTP_URL is.")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise SettingsError(f"TRACKER_BASE_URL must be an http(s) URL, got {base_url!r}.")
    return MailConfig(
        smtp_url=url,
        smtp_user=(env.get("TRACKER_SMTP_USER") or "").strip() or None,
        smtp_password=env.get("TRACKER_SMTP_PASSWORD") or None,
        mail_from=mail_from,
        base_url=base_url,
        coalesce_seconds=float(_int(env, "TRACKER_MAIL_COALESCE_SECONDS", 120, low=0)),
        digest_hour=_int(env, "TRACKER_MAIL_DIGEST_HOUR", 7, low=0, high=23),
    )


def mail_in_policy(environ: dict[str, str] | None = None) -> MailInPolicy:
    env = os.environ if environ is None else environ
    domains = frozenset(
        d.strip().lower().lstrip("@")
        for d in (env.get("TRACKER_MAIL_IN_DOMAINS") or "").split(",")
        if d.strip()
    )
    return MailInPolicy(
        max_bytes=_int(env, "TRACKER_MAIL_IN_MAX_MB", 25, low=1) * 1024 * 1024,
        signup_domains=domains,
    )


def _int(
    env: os._Environ[str] | dict[str, str],
    name: str,
    default: int,
    *,
    low: int,
    high: int | None = None,
) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from None
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SettingsError(f"{name} must be {limit}, got {value}.")
    return value
