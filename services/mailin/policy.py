"""What mail-in accepts, set by the composition root (TRACKER_MAIL_IN_*)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MailInPolicy:
    max_bytes: int = 25 * 1024 * 1024  # a larger message is refused whole
    allow_signup: bool = True  # TRACKER_ALLOW_SIGNUP
    # Unknown senders of these domains get a REPORTER account (with sign-up on); others are
    # refused. Empty: nobody unknown is let in.
    signup_domains: frozenset[str] = field(default_factory=frozenset)
    reply_quiet_seconds: int = 3600  # never answer the same address twice within this


policy = MailInPolicy()


def configure(new: MailInPolicy) -> None:
    global policy
    policy = new
