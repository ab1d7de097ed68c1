"""A received message becomes an issue or a comment, handled whole or not at all.

Whom it trusts: the From address, as the MTA delivers it. The tracker cannot check where a
message really came from: the MTA must (SPF, DKIM, DMARC) before it hands a message over.
Automatic mail (auto-replies, bounces, lists) is never answered and never becomes anything;
a person is answered at most once per `reply_quiet_seconds`, so two robots cannot loop."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from .. import attachments, comments, files, issues, uploads, users
from ..db import begin_write, session
from ..errors import DomainError, NotFound, Unavailable
from ..models import Attachment, Issue, User, utcnow
from ..notify import compose, outbox
from ..notify import config as mail
from ..notify.models import MailOutbox
from ..schemas import MAX_DESCRIPTION, MAX_TITLE, Actor
from . import parse
from . import policy as settings

log = logging.getLogger(__name__)

ANSWERS = ("reply", "confirm")


@dataclass(frozen=True)
class Outcome:
    status: str  # "issue" | "comment" | "refused" | "ignored"
    reason: str = ""
    issue_id: int | None = None
    answered: bool = False


class Refused(Exception):
    """The message is refused whole; `reason` goes to the log and, politely, to the sender."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def receive(raw: bytes) -> Outcome:
    """Handle one message. Unavailable (the database is down) is raised, so the caller can
    tell the MTA to try again later; everything else ends in an Outcome."""
    env = parse.envelope(raw)
    if env.automatic:
        log.info("mail-in: ignored automatic mail from %s (%s)", env.sender or "?", env.automatic)
        return Outcome("ignored", env.automatic)
    if not env.sender:
        log.info("mail-in: refused a message without a sender address")
        return Outcome("refused", "no sender address")
    try:
        if len(raw) > settings.policy.max_bytes:
            limit = uploads.size_text(settings.policy.max_bytes)
            raise Refused(f"The message is larger than the {limit} the tracker accepts.")
        try:
            mail_msg = parse.parse(raw)
        except parse.Malformed as e:
            raise Refused(f"The message could not be read: {e}.") from None
        actor = _sender(mail_msg.envelope)
        if env.issue_ref is not None:
            return _comment(actor, env.issue_ref, mail_msg)
        return _issue(actor, mail_msg)
    except Unavailable:
        raise
    except Refused as e:
        log.info("mail-in: refused mail from %s: %s", env.sender, e.reason)
        answered = _answer(env, "Your message was not accepted", _refusal(e.reason))
        return Outcome("refused", e.reason, answered=answered)


# --- who sent it ---------------------------------------------------------------------------


def _sender(env: parse.Envelope) -> Actor:
    with session() as s:
        user = s.scalar(select(User).where(User.email == env.sender))
        if user is not None:
            if not user.is_active:
                raise Refused("The account of this address is deactivated.")
            return Actor.model_validate(user)
    domain = env.sender.rpartition("@")[2]
    if not settings.policy.allow_signup or domain not in settings.policy.signup_domains:
        raise Refused("This address has no account in the tracker.")
    with session() as s:
        try:
            view = users.register(
                s,
                {
                    "email": env.sender,
                    "password": secrets.token_urlsafe(24),
                    "full_name": env.sender_name[:200],
                },
            )
        except DomainError as e:
            raise Refused(f"No account could be made for this address ({e.message})") from None
    log.info("mail-in: created REPORTER %s for a message", env.sender)
    return Actor.model_validate(view)


# --- what it becomes -----------------------------------------------------------------------


def _issue(actor: Actor, msg: parse.ParsedMail) -> Outcome:
    title = (msg.envelope.title or "(no subject)")[:MAX_TITLE]
    description = _fit(msg.text, MAX_DESCRIPTION)
    staged = _stage(actor, msg, existing=0)
    created: int | None = None
    try:
        with session() as s:
            view = issues.create_issue(
                s,
                actor,
                {"title": title, "description": description},
                idempotency_key=_key(msg, "issue"),
            )
        created = view.id
        _attach(actor, view.id, staged)
    except DomainError as e:
        _undo(created)
        attachments.discard_staged(staged)
        raise Refused(e.message) from None
    except BaseException:
        _undo(created)
        attachments.discard_staged(staged)
        raise
    link = mail.config.link(f"/issues/{view.id}")
    files_note = f" with {len(staged)} file{'s' if len(staged) != 1 else ''}" if staged else ""
    text = (
        f"Thank you: your message became issue #{view.id}{files_note}.\n\n{link}\n\n"
        f"Reply to this mail (keeping [#{view.id}] in the subject) to add a comment."
    )
    answered = _answer(msg.envelope, f"[#{view.id}] {title}", text, kind="confirm")
    return Outcome("issue", issue_id=view.id, answered=answered)


def _comment(actor: Actor, issue_id: int, msg: parse.ParsedMail) -> Outcome:
    body = _fit(msg.text, 10_000) or "(an empty reply)"
    with session() as s:
        try:
            existing = issues.get_issue(s, actor, issue_id)
        except NotFound:
            raise Refused(f"There is no issue #{issue_id} you can comment on.") from None
    staged = _stage(actor, msg, existing=len(existing.attachments))
    try:
        with session() as s:
            comments.add_comment(s, actor, issue_id, {"body": body}, idempotency_key=_key(msg, "c"))
        _attach(actor, issue_id, staged)
    except DomainError as e:
        attachments.discard_staged(staged)
        raise Refused(e.message) from None
    except BaseException:
        attachments.discard_staged(staged)
        raise
    return Outcome("comment", issue_id=issue_id)


def _stage(actor: Actor, msg: parse.ParsedMail, *, existing: int) -> list[attachments.StagedFile]:
    """Every file checked (size, type by content, the sender's limits) before anything is
    written: one refused file refuses the whole message."""
    room = uploads.policy().max_files_per_issue - existing
    if len(msg.files) > room:
        raise Refused(
            f"The message has {len(msg.files)} files; an issue may have "
            f"{uploads.policy().max_files_per_issue}."
        )
    staged: list[attachments.StagedFile] = []
    try:
        for f in msg.files:
            with session() as s:
                staged.append(attachments.stage_file(s, actor, filename=f.filename, content=f.data))
    except DomainError as e:
        attachments.discard_staged(staged)
        raise Refused(f"{e.message}") from None
    except BaseException:
        attachments.discard_staged(staged)
        raise
    return staged


def _attach(actor: Actor, issue_id: int, staged: list[attachments.StagedFile]) -> None:
    while staged:
        with session() as s:
            attachments.save_attachment(
                s, actor, issue_id, filename=staged[0].filename, content=staged[0]
            )
        staged.pop(0)


def _undo(issue_id: int | None) -> None:
    """Remove an issue this message created when a later step failed (nothing half-made)."""
    if issue_id is None:
        return
    with session() as s:
        begin_write(s)
        stored = list(
            s.scalars(select(Attachment.stored_name).where(Attachment.issue_id == issue_id))
        )
        s.execute(delete(Issue).where(Issue.id == issue_id))
        s.commit()
    files.remove(stored)


def _key(msg: parse.ParsedMail, what: str) -> str | None:
    """The idempotency key: a message delivered twice (an MTA retry) is handled once."""
    return f"mail-{what}:{msg.envelope.message_id}"[:255] if msg.envelope.message_id else None


def _fit(text: str, limit: int) -> str:
    text = text.replace("\x00", "")
    if len(text) <= limit:
        return text
    note = "\n\n[The rest of the message was cut.]"
    return text[: limit - len(note)] + note


# --- answers -------------------------------------------------------------------------------


def _refusal(reason: str) -> str:
    return (
        "Hello,\n\nthe issue tracker could not accept your message:\n\n"
        f"{reason}\n\nNothing was created. Please get in touch with the tracker's "
        "administrators if you think this is wrong.\n"
    )


def _answer(env: parse.Envelope, subject: str, text: str, *, kind: str = "reply") -> bool:
    """Mail the sender, unless mail is off or they were answered within the quiet time."""
    if not mail.config.enabled or not env.sender:
        return False
    since = utcnow() - dt.timedelta(seconds=settings.policy.reply_quiet_seconds)
    with session() as s:
        begin_write(s)
        recent = s.scalar(
            select(func.count(MailOutbox.id)).where(
                MailOutbox.to_addr == env.sender,
                MailOutbox.kind.in_(ANSWERS),
                MailOutbox.created_at >= since,
            )
        )
        if recent:
            log.info("mail-in: not answering %s again within the quiet time", env.sender)
            s.rollback()
            return False
        outbox.queue_mail(
            s, kind, env.sender, compose.plain(subject, text), in_reply_to=env.message_id
        )
        s.commit()
    return True
