"""Mail settings, set by the composition root from TRACKER_SMTP_URL and friends. Unset (the
default, and a notebook's): no mail goes out, notifications stay in the app."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MailConfig:
    smtp_url: str | None = None  # smtp://host:port or smtps://host:port, user:password@ allowed
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_from: str = ""
    base_url: str = "http://localhost:8080"  # for links in mails
    coalesce_seconds: float = 120.0  # changes on one issue within this become one mail
    digest_hour: int = 7  # UTC hour after which the daily digest goes out
    timeout: float = 30.0
    backoff: tuple[float, ...] = (2.0, 10.0)  # waits between the tries of one send job

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_url and self.mail_from)

    def link(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


config = MailConfig()


def configure(**options: object) -> MailConfig:
    """Replace the mail settings (keywords of MailConfig); returns them."""
    global config
    config = MailConfig(**options)  # type: ignore[arg-type]
    return config
