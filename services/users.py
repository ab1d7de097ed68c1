"""Users: sign-up, administration, passwords. Emits `user` events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import auth, lockout, security, tokens
from .db import begin_write
from .enums import Role
from .errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, PermissionDenied
from .events import ChangeEvent, emit
from .models import LoginSession, TrustedDevice, User, utcnow
from .permissions import STAFF_ROLES, can_manage_users, is_staff, load_actor, require
from .queries import escape_like
from .schemas import (
    Actor,
    Page,
    Registration,
    UserCreate,
    UserPage,
    UserUpdate,
    UserView,
    parse,
)

MAX_PAGE_SIZE = 100


def register(
    s: Session, data: Registration | Mapping[str, Any], *, allow_signup: bool = True
) -> UserView:
    """Public sign-up; always creates a REPORTER (a `role` field is refused). Emits user/created."""
    if not allow_signup:
        raise PermissionDenied("Sign-up is disabled; ask an administrator for an account.")
    reg = parse(Registration, data)
    password_hash = _hash_new(reg.password, reg.email)
    begin_write(s)
    user = _insert_user(s, reg.email, password_hash, reg.full_name, Role.REPORTER)
    return _commit_view(s, user, "created")


def provision(s: Session, data: UserCreate | Mapping[str, Any]) -> UserView:
    """Create a user of any role without an acting user: for operators with direct database
    access (the `tracker create-admin/create-user` CLI). Emits user/created."""
    new = parse(UserCreate, data)
    password_hash = _hash_new(new.password, new.email)
    begin_write(s)
    user = _insert_user(s, new.email, password_hash, new.full_name, new.role)
    return _commit_view(s, user, "created")


def create_user(s: Session, actor: Actor, data: UserCreate | Mapping[str, Any]) -> UserView:
    """ADMIN creates a user with any role. Emits user/created."""
    new = parse(UserCreate, data)
    require(can_manage_users(load_actor(s, actor)), "Only administrators can create users.")
    password_hash = _hash_new(new.password, new.email)
    begin_write(s)
    user = _insert_user(s, new.email, password_hash, new.full_name, new.role)
    return _commit_view(s, user, "created")


def update_user(
    s: Session, actor: Actor, user_id: int, data: UserUpdate | Mapping[str, Any]
) -> UserView:
    """ADMIN changes name, role, active flag or password. Role, password and deactivation
    changes end the user's sessions and API tokens. An admin changing their own password
    gives the current one, like everyone else. Emits user/updated."""
    change = parse(UserUpdate, data)
    me = load_actor(s, actor)
    require(can_manage_users(me), "Only administrators can change users.")
    user = _get(s, user_id)
    _refuse_self_lockout(me, user, change)
    password_hash = None
    if change.password is not None:
        if me.id == user.id:
            auth.check_password(s, user, change.current_password or "")
        password_hash = _hash_new(change.password, user.email)
    begin_write(s)
    revoke = False
    if change.full_name is not None:
        user.full_name = change.full_name
    if change.role is not None and change.role != user.role:
        _keep_an_admin(s, user)
        user.role = change.role
        revoke = True
    if change.is_active is not None and change.is_active != user.is_active:
        if not change.is_active:
            _keep_an_admin(s, user)
        user.is_active = change.is_active
        revoke = True
    if password_hash is not None:
        user.password_hash = password_hash
        lockout.clear(user)
        revoke = True
    if revoke:
        _revoke_credentials(s, user)
    user.updated_at = utcnow()
    return _commit_view(s, user, "updated")


def change_password(s: Session, actor: Actor, current_password: str, new_password: str) -> None:
    """A user changes their own password; all their sessions and API tokens end. A wrong
    current password counts towards the sign-in lockout. Emits user/updated."""
    user = load_actor(s, actor)
    auth.check_password(s, user, current_password)
    password_hash = _hash_new(new_password, user.email)
    begin_write(s)
    user.password_hash = password_hash
    user.updated_at = utcnow()
    _revoke_credentials(s, user)
    _commit_view(s, user, "updated")


def hash_new_password(password: str, email: str) -> str:
    """Check a new password against the policy (InvalidInput) and hash it: slow, so before
    any write lock."""
    return _hash_new(password, email)


def replace_password(s: Session, user: User, password_hash: str) -> None:
    """Commit a new password for a user who proved who they are another way (a reset link,
    services.recovery, checked by the caller inside this write): every session and API token
    ends, and the sign-in lockout is cleared. Emits user/updated."""
    user.password_hash = password_hash
    user.updated_at = utcnow()
    _revoke_credentials(s, user)
    _unlock(s, user)


def unlock_user(s: Session, actor: Actor, user_id: int) -> UserView:
    """ADMIN clears a lockout after repeated failed logins. Emits user/updated."""
    begin_write(s)
    require(can_manage_users(load_actor(s, actor)), "Only administrators can unlock users.")
    return _unlock(s, _get(s, user_id))


def unlock_account(s: Session, email: str) -> UserView:
    """Clear a lockout without an acting user: for operators with direct database access
    (`tracker unlock-user`), e.g. the last admin. Emits user/updated."""
    begin_write(s)
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound("user")
    return _unlock(s, user)


def get_user(s: Session, actor: Actor, user_id: int) -> UserView:
    """A user's own record, or anyone's for an ADMIN (others get NotFound)."""
    me = load_actor(s, actor)
    if me.id != user_id and not can_manage_users(me):
        raise NotFound("user")
    return UserView.model_validate(_get(s, user_id))


def list_users(
    s: Session,
    actor: Actor,
    *,
    q: str | None = None,
    role: Role | str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[UserView]:
    """ADMIN lists users, filtered by a text in email/name and by role."""
    require(can_manage_users(load_actor(s, actor)), "Only administrators can list users.")
    page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
    query = select(User)
    if q and "\x00" in q:  # no stored name holds a NUL; PostgreSQL refuses one in a query
        query = query.where(false())
    elif q:
        pattern = f"%{escape_like(q.strip().lower())}%"
        query = query.where(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
    if role:
        query = query.where(User.role == Role(role))
    total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = s.scalars(query.order_by(User.email).offset((page - 1) * page_size).limit(page_size))
    items = [UserView.model_validate(u) for u in rows]
    return UserPage(items=items, total=total, page=page, page_size=page_size)


def list_staff(s: Session, actor: Actor) -> list[Actor]:
    """Active maintainers and admins, for the assignee picker; staff only. A to Z by the
    name a picker shows (the full name, or the email of someone without one), whatever
    its case."""
    require(is_staff(load_actor(s, actor)), "Only staff can assign issues.")
    rows = s.scalars(select(User).where(User.is_active.is_(True), User.role.in_(STAFF_ROLES)))
    staff = [Actor.model_validate(u) for u in rows]
    return sorted(staff, key=lambda u: (u.shown_name.casefold(), u.email))


def actor_for(s: Session, *, email: str | None = None, user_id: int | None = None) -> Actor:
    """The Actor for a user, by email or id: how a notebook, the CLI or a job acts as someone."""
    if user_id is not None:
        user = s.get(User, user_id)
    elif email is not None:
        user = s.scalar(select(User).where(User.email == email.strip().lower()))
    else:
        raise InvalidInput("Give an email or a user id.")
    if user is None:
        raise NotFound("user")
    if not user.is_active:
        raise AuthenticationFailed("This account is deactivated.")
    return Actor.model_validate(user)


def first_admin(s: Session) -> Actor | None:
    """The oldest active ADMIN, the default actor of operator commands (CLI import/export)."""
    user = s.scalar(
        select(User).where(User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)
    )
    return Actor.model_validate(user) if user else None


def count_users(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(User)) or 0


# --- helpers -------------------------------------------------------------------------------


def _hash_new(password: str, email: str) -> str:
    """Check a new password against the policy and hash it (slow: before any write lock)."""
    security.check_password_policy(password, email=email)
    return security.hash_password(password)


def _insert_user(s: Session, email: str, password_hash: str, full_name: str, role: Role) -> User:
    if s.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("An account with this email already exists.")
    user = User(email=email, full_name=full_name, role=role, password_hash=password_hash)
    s.add(user)
    try:
        s.flush()
    except IntegrityError as e:  # a concurrent sign-up with the same email won the race
        raise Conflict("An account with this email already exists.") from e
    return user


def _unlock(s: Session, user: User) -> UserView:
    lockout.clear(user)
    s.execute(
        update(TrustedDevice)
        .where(TrustedDevice.user_id == user.id)
        .values(failures=0, locked_until=None)
    )
    return _commit_view(s, user, "updated")


def _commit_view(s: Session, user: User, op: str) -> UserView:
    s.flush()
    view = UserView.model_validate(user)
    emit(s, ChangeEvent("user", op, user_id=user.id))
    s.commit()
    return view


def _get(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


def _refuse_self_lockout(me: User, user: User, change: UserUpdate) -> None:
    """Nobody demotes or deactivates themselves: one click would lock them out for good."""
    if me.id != user.id:
        return
    if change.role is not None and change.role != user.role:
        raise PermissionDenied("You cannot change your own role; ask another administrator.")
    if change.is_active is False:
        raise PermissionDenied("You cannot deactivate your own account.")


def _keep_an_admin(s: Session, user: User) -> None:
    if user.role != Role.ADMIN or not user.is_active:
        return
    admins = s.scalar(select(func.count()).where(User.role == Role.ADMIN, User.is_active.is_(True)))
    if (admins or 0) <= 1:
        raise Conflict("This is the last active administrator; make another admin first.")


def _revoke_credentials(s: Session, user: User) -> None:
    """End every login session and invalidate every API token of the user."""
    user.token_version += 1
    tokens.revoke_all(s, user.id)
    s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
