"""Who may do what. The only place permission rules live: who is staff, who sees whose
issues (and so which reporter filter a list, count or export must use), who may edit,
triage, be assigned, delete, manage users or run jobs, whose saved views one sees and
changes. Pages may call the pure predicates to hide what they cannot offer; every service
function checks again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from .enums import CLOSED_WITHOUT_WORK, STAFF_ROLES, TRANSITIONS, Resolution, Role, Status
from .errors import AuthenticationFailed, NotFound, PermissionDenied
from .models import Issue, User

if TYPE_CHECKING:  # only for type hints: schemas stay free of the rules
    from .schemas import Actor


class Someone(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def role(self) -> Role: ...


class IssueLike(Protocol):
    @property
    def reporter_id(self) -> int: ...
    @property
    def status(self) -> Status: ...


def is_staff(who: Someone) -> bool:
    return who.role in STAFF_ROLES


def sees_issues_of(who: Someone, reporter_id: int | None) -> bool:
    """Staff see everyone's issues; a reporter only their own."""
    return is_staff(who) or reporter_id == who.id


def can_view_issue(who: Someone, issue: IssueLike) -> bool:
    return sees_issues_of(who, issue.reporter_id)


NOBODY = -1  # a reporter filter that matches no issue


def visible_reporter(who: Someone, reporter_id: int | None) -> int | None:
    """The reporter filter a list, a count or an export must use: staff any (None: all), a
    reporter only their own. A reporter asking for someone else's gets NOBODY, an empty
    result, never an error that could be probed."""
    if is_staff(who):
        return reporter_id
    return who.id if reporter_id in (None, who.id) else NOBODY


def can_edit_issue(who: Someone, issue: IssueLike) -> bool:
    """Title, description, severity: staff always; the reporter while it is OPEN."""
    return is_staff(who) or (issue.reporter_id == who.id and issue.status == Status.OPEN)


def can_triage(who: Someone) -> bool:
    """Change status, assign, tag."""
    return is_staff(who)


def can_be_assigned(user: User) -> bool:
    """Issues go to active maintainers and admins."""
    return user.is_active and is_staff(user)


def can_delete_issue(who: Someone) -> bool:
    return who.role == Role.ADMIN


def can_manage_users(who: Someone) -> bool:
    return who.role == Role.ADMIN


def can_run_jobs(who: Someone) -> bool:
    """See the background jobs, their failures and the queue, and run one now."""
    return who.role == Role.ADMIN


def sees_view(who: Someone, owner_id: int, shared: bool) -> bool:
    """A saved view: its owner's, or shared with everyone (what it lists still follows
    `visible_reporter`: a view is only a list's filters)."""
    return shared or owner_id == who.id


def can_change_view(who: Someone, owner_id: int, shared: bool) -> bool:
    """Rename, change or delete a saved view: its owner; a shared one also any admin."""
    return owner_id == who.id or (shared and who.role == Role.ADMIN)


def can_share_views(who: Someone) -> bool:
    """Share a saved view with everyone, or stop sharing one."""
    return who.role == Role.ADMIN


def closing_resolutions(who: Someone, issue: IssueLike) -> list[Resolution]:
    """How this person may close the issue straight from where it stands, outside the
    one-step workflow: staff close an OPEN or TRIAGED issue as won't fix, duplicate or
    invalid; a reporter withdraws their own issue while it is OPEN."""
    out: list[Resolution] = []
    if can_triage(who) and issue.status in (Status.OPEN, Status.TRIAGED):
        out += sorted(CLOSED_WITHOUT_WORK)
    if issue.status == Status.OPEN and issue.reporter_id == who.id:
        out.append(Resolution.WITHDRAWN)
    return out


def allowed_transitions(who: Someone, current: Status) -> list[Status]:
    """The status moves this person may make from `current` (empty for reporters)."""
    return list(TRANSITIONS[current]) if can_triage(who) else []


def hold_actor(s: Session, user: User) -> None:
    """Keep the user whose credentials were just checked in the session until it closes: its
    identity map holds objects weakly, so the call's `load_actor` would read the row again."""
    s.info["actor_row"] = user


def load_actor(s: Session, actor: Actor) -> User:
    """The acting user's current row: a deactivated or deleted account can do nothing, and a
    role change applies to the very next call."""
    user = s.get(User, actor.id)
    if user is None or not user.is_active:
        raise AuthenticationFailed("Your account is not active; sign in again.")
    return user


def access_issue(s: Session, who: Someone, issue_id: int) -> Issue:
    """The issue if `who` may see it; NotFound for both missing and not-yours."""
    issue = s.get(Issue, issue_id)
    if issue is None or not can_view_issue(who, issue):
        raise NotFound("issue")
    return issue


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
