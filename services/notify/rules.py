"""Who is told what. Each activity verb has a rule naming its candidates and the preference
that governs each; common checks then drop the actor themself, inactive accounts, people
who turned that kind off, and anyone who may not see the issue. A later part adds a verb
with `on_verb`.

The reporters an issue affects through its duplicates (and theirs) hear of its status
changes, staff comments and its being marked a duplicate as the reporter does, but in a
notification about their own duplicate (they may not see the original): it names no one and
says only what their duplicate's page shows, the original's status."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, event, func, select
from sqlalchemy.orm import Session

from ..affected import duplicates_under
from ..enums import STAFF_ROLES, Severity, Verb
from ..models import Activity, Comment, Issue, User
from ..permissions import can_view_issue, is_staff
from .models import NewIssues, NotificationPrefs

MAX_MENTIONS = 20
ORIGINAL = "original"  # the kind of a change to the original of the recipient's duplicate
_TOLD = "tracker_notify_told_of_originals"  # (user, duplicate) told in this transaction
IMPORTED = "import"  # quotas.IMPORTED: a CSV import's rows tell nobody
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)")


@dataclass(frozen=True)
class Candidate:
    user_id: int
    kind: str  # what the notification says it is about
    summary: str
    pref: str  # the NotificationPrefs flag that must be on ("" none: always)
    about: int | None = None  # the issue it is about, when not the row's (kind ORIGINAL)


Rule = Callable[[Session, Issue, Activity], list[Candidate]]
_rules: dict[str, Rule] = {}


def on_verb(verb: str, rule: Rule) -> None:
    """Register (or replace) who hears about activity rows of `verb`, or of one field of a
    verb as "verb:field" (that one wins over the verb's)."""
    _rules[verb] = rule


def recipients(s: Session, issue: Issue, row: Activity) -> list[tuple[User, Candidate]]:
    """The users to notify about this row, at most once each (the first candidate wins)."""
    rule = _rules.get(f"{row.verb}:{row.field}") or _rules.get(str(row.verb))
    if rule is None:
        return []
    out: dict[int, tuple[User, Candidate]] = {}
    told: set[tuple[int, int]] = s.info.setdefault(_TOLD, set())
    for c in rule(s, issue, row):
        if c.user_id in out or c.user_id == row.actor_id:
            continue
        if c.about is not None and (c.user_id, c.about) in told:
            continue  # one change (say a merge: closed, then linked) tells them once
        user = s.get(User, c.user_id)
        about = issue if c.about is None else s.get(Issue, c.about)
        if user is None or about is None or not user.is_active:
            continue
        if not can_view_issue(user, about):
            continue
        if c.pref and not getattr(prefs_of(s, user.id), c.pref):
            continue
        out[c.user_id] = (user, c)
        if c.about is not None:
            told.add((c.user_id, c.about))
    return list(out.values())


def sentence(kind: str, who: str, summary: str) -> str:
    """How a notification reads: who did what; a change to the original of the reader's
    duplicate names no one."""
    return summary if kind == ORIGINAL else f"{who or 'Someone'} {summary}"


def _forget_told(s: Session) -> None:
    s.info.pop(_TOLD, None)


event.listen(Session, "after_commit", _forget_told)
event.listen(Session, "after_rollback", _forget_told)


def prefs_of(s: Session, user_id: int) -> NotificationPrefs:
    """The user's preferences (the defaults when they never changed them; not added)."""
    found = s.get(NotificationPrefs, user_id)
    if found is not None:
        return found
    return NotificationPrefs(
        user_id=user_id,
        my_issues=True,
        assigned=True,
        mentions=True,
        new_issues=NewIssues.NONE,
        email="immediate",
    )


# --- the rules -----------------------------------------------------------------------------


# Built once: every new issue runs it. Ordered by the preferences' key, so the database
# walks the few users who chose to hear of new issues, not every user.
_STAFF_FOR_NEW = (
    select(User.id)
    .join(NotificationPrefs, NotificationPrefs.user_id == User.id)
    .where(
        User.role.in_(STAFF_ROLES),
        NotificationPrefs.new_issues.in_(bindparam("wanted", expanding=True)),
    )
    .order_by(NotificationPrefs.user_id)
)


def _created(s: Session, issue: Issue, row: Activity) -> list[Candidate]:
    if row.field == IMPORTED:
        return []
    wanted = [NewIssues.ALL]
    if issue.severity in (Severity.HIGH, Severity.CRITICAL):
        wanted.append(NewIssues.HIGH)
    staff = s.scalars(_STAFF_FOR_NEW, {"wanted": wanted})
    summary = f"filed a new {str(issue.severity).lower()} issue"
    return [Candidate(uid, "created", summary, "") for uid in staff]


def _status(s: Session, issue: Issue, row: Activity) -> list[Candidate]:
    summary = f"changed the status from {row.old_value} to {row.new_value}"
    return [
        *_assignee(issue, "status", summary),
        Candidate(issue.reporter_id, "status", summary, "my_issues"),
        *_affected(s, issue, f"The issue yours duplicates moved to {row.new_value}"),
    ]


def _commented(s: Session, issue: Issue, row: Activity) -> list[Candidate]:
    comment = s.get(Comment, int(row.new_value or 0))
    author = s.get(User, row.actor_id) if row.actor_id is not None else None
    out = [
        Candidate(uid, "mention", "mentioned you in a comment", "mentions")
        for uid in mentioned(s, comment.body if comment is not None else "")
    ]
    out += _assignee(issue, "commented", "commented")
    if author is not None and is_staff(author):
        out.append(Candidate(issue.reporter_id, "commented", "commented", "my_issues"))
        out += _affected(s, issue, "The issue yours duplicates has a new comment from the team")
    return out


def _assigned(s: Session, issue: Issue, row: Activity) -> list[Candidate]:
    if not row.new_value:
        return []
    return [Candidate(int(row.new_value), "assigned", "assigned the issue to you", "assigned")]


def _duplicate(s: Session, issue: Issue, row: Activity) -> list[Candidate]:
    """Marked a duplicate (an `edited` row of field duplicate_of): the reporter, the
    assignee, and the reporters of its own duplicates."""
    if not row.new_value:
        return _assignee(issue, "edited", "said the issue is not a duplicate")
    summary = f"marked the issue a duplicate of #{row.new_value}"
    return [
        Candidate(issue.reporter_id, "duplicate", summary, "my_issues"),
        *_assignee(issue, "duplicate", summary),
        *_affected(s, issue, "The issue yours duplicates was itself closed as a duplicate"),
    ]


def _changed(what: str) -> Rule:
    def rule(s: Session, issue: Issue, row: Activity) -> list[Candidate]:
        return _assignee(issue, str(row.verb), what)

    return rule


def _affected(s: Session, issue: Issue, summary: str) -> list[Candidate]:
    """The reporters of the issue's duplicates (and of theirs), each told about their own."""
    return [
        Candidate(reporter_id, ORIGINAL, summary, "my_issues", about=duplicate_id)
        for duplicate_id, reporter_id in duplicates_under(s, issue.id)
    ]


def _assignee(issue: Issue, kind: str, summary: str) -> list[Candidate]:
    if issue.assignee_id is None:
        return []
    return [Candidate(issue.assignee_id, kind, summary, "assigned")]


def mentioned(s: Session, text: str) -> list[int]:
    """Users named in `text` as @email or @local-part (when that local part is one user's)."""
    out: list[int] = []
    for handle in dict.fromkeys(m.lower().rstrip(".") for m in _MENTION.findall(text)):
        if len(out) >= MAX_MENTIONS:
            break
        if "@" in handle:
            found = s.scalars(select(User.id).where(User.email == handle)).all()
        else:
            local = func.substr(User.email, 1, len(handle) + 1)
            found = s.scalars(select(User.id).where(local == handle + "@").limit(2)).all()
        if len(found) == 1 and found[0] not in out:
            out.append(found[0])
    return out


on_verb(Verb.CREATED, _created)
on_verb(Verb.STATUS, _status)
on_verb(Verb.COMMENTED, _commented)
on_verb(Verb.ASSIGNED, _assigned)
on_verb(Verb.EDITED, _changed("edited the issue"))
on_verb(f"{Verb.EDITED}:duplicate_of", _duplicate)
on_verb(Verb.TAGS, _changed("changed the tags"))
on_verb(Verb.ATTACHED, _changed("attached a file"))
