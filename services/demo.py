"""Realistic demo data: users, and issues with tags, comments and status histories.

Bulk inserts (not one transaction per issue), so 10,000 issues take seconds. The activity
rows match the histories, so stats can be recomputed from them like from real use.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from . import fulltext, markdown, queries, security
from .db import begin_write
from .enums import Role, Severity, Status, Verb
from .events import ChangeEvent, emit
from .models import Activity, Comment, Issue, IssueTag, User, utcnow

BATCH = 1000
DEMO_USERS = [
    ("ana.admin@example.com", "Ana Admin", Role.ADMIN),
    ("max.maintainer@example.com", "Max Maintainer", Role.MAINTAINER),
    ("mia.maintainer@example.com", "Mia Maintainer", Role.MAINTAINER),
    ("rob.reporter@example.com", "Rob Reporter", Role.REPORTER),
    ("rita.reporter@example.com", "Rita Reporter", Role.REPORTER),
    ("raj.reporter@example.com", "Raj Reporter", Role.REPORTER),
]
_AREAS = [
    "Login",
    "Checkout",
    "Invoice export",
    "Dashboard",
    "Search",
    "Upload",
    "Settings",
    "Notifications",
    "Mobile app",
    "API",
    "Reports",
    "Billing",
]
_SYMPTOMS = [
    "crashes",
    "shows a blank page",
    "is very slow",
    "loses my draft",
    "shows the wrong total",
    "times out",
    "rejects valid input",
    "duplicates entries",
    "ignores the date filter",
    "renders garbled text",
]
_WHEN = [
    "after the latest update",
    "on Safari",
    "with large files",
    "for new accounts",
    "when I switch language",
    "on the first visit",
    "with more than 100 rows",
    "during the nightly sync",
    "after a password reset",
    "on slow connections",
]
_TAGS = [
    "ui",
    "backend",
    "regression",
    "performance",
    "billing",
    "security",
    "docs",
    "mobile",
    "api",
    "data",
    "needs-info",
    "good-first-issue",
]
_COMMENTS = [
    "Thanks, I can reproduce this.",
    "Could you attach a screenshot?",
    "Fixed in the next release.",
    "Still happening for me today.",
    "Looks related to the cache change last week.",
    "Added logs from the server.",
]
_SEVERITY_WEIGHTS = [30, 40, 22, 8]
_FORWARD = [Status.TRIAGED, Status.IN_PROGRESS, Status.DONE]
Row = dict[str, Any]


def ensure_demo_users(s: Session) -> list[tuple[str, str, str | None]]:
    """Create the demo accounts that are missing, each with a fresh random password.
    Returns (email, role, password or None if the account already existed)."""
    begin_write(s)
    out: list[tuple[str, str, str | None]] = []
    for email, name, role in DEMO_USERS:
        if s.scalar(select(User.id).where(User.email == email)) is not None:
            out.append((email, role.value, None))
            continue
        password = secrets.token_urlsafe(10)
        s.add(
            User(
                email=email,
                full_name=name,
                role=role,
                password_hash=security.hash_password(password),
            )
        )
        out.append((email, role.value, password))
    s.commit()
    return out


def seed_issues(
    s: Session, count: int, *, seed: int = 7, progress: Callable[[int], object] | None = None
) -> int:
    """Insert `count` demo issues in batches; returns how many. Emits one issue/bulk event."""
    rng = random.Random(seed)
    users = _ids_by_role(s)
    if not users.get(Role.REPORTER) or not users.get(Role.MAINTAINER):
        raise RuntimeError("create the demo users first (ensure_demo_users)")
    staff = users[Role.MAINTAINER] + users.get(Role.ADMIN, [])
    begin_write(s)
    tag_ids = dict(zip(sorted(_TAGS), queries.ensure_tags(s, _TAGS), strict=True))
    now = utcnow()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        _insert_batch(s, rng, size, now, users[Role.REPORTER], staff, tag_ids)
        done += size
        if progress:
            progress(size)
    emit(s, ChangeEvent("issue", "bulk"))
    s.commit()
    return done


def _insert_batch(
    s: Session,
    rng: random.Random,
    size: int,
    now: dt.datetime,
    reporters: list[int],
    staff: list[int],
    tag_ids: dict[str, int],
) -> None:
    plans = [_plan(rng, now, reporters, staff) for _ in range(size)]
    ids = s.scalars(
        insert(Issue).returning(Issue.id, sort_by_parameter_order=True), [p["issue"] for p in plans]
    ).all()
    activity: list[Row] = []
    tags: list[Row] = []
    comments: list[Row] = []
    for issue_id, plan in zip(ids, plans, strict=True):
        for row in plan["activity"]:
            activity.append({**row, "issue_id": issue_id})
        tags += [{"issue_id": issue_id, "tag_id": tag_ids[t]} for t in plan["tags"]]
        comments += [{**c, "issue_id": issue_id} for c in plan["comments"]]
    s.execute(insert(Activity), activity)
    if tags:
        s.execute(insert(IssueTag), tags)
    if comments:
        s.execute(insert(Comment), comments)
    fulltext.refresh(s, ids)  # rows written without the ORM: the search learns them here


def _plan(rng: random.Random, now: dt.datetime, reporters: list[int], staff: list[int]) -> Row:
    reporter = rng.choice(reporters)
    severity = rng.choices(list(Severity), _SEVERITY_WEIGHTS)[0]
    created = now - dt.timedelta(minutes=rng.randint(10, 120 * 24 * 60))
    title = f"{rng.choice(_AREAS)} {rng.choice(_SYMPTOMS)} {rng.choice(_WHEN)}"
    description = _description(rng, title)
    history = [
        _act(
            reporter,
            reporter,
            Verb.CREATED,
            "severity",
            None,
            severity,
            created,
            None,
            (Status.OPEN, severity),
        )
    ]
    status, at = Status.OPEN, created
    # Older issues travelled further along the workflow.
    old = (now - created).days > 2
    steps = rng.choices([0, 1, 2, 3], [3, 2, 2, 4])[0] if old else rng.randint(0, 1)
    for target in _FORWARD[:steps]:
        at = min(now, at + dt.timedelta(minutes=rng.randint(30, 7 * 24 * 60)))
        history.append(
            _act(
                reporter,
                rng.choice(staff),
                Verb.STATUS,
                "status",
                status,
                target,
                at,
                (status, severity),
                (target, severity),
            )
        )
        status = target
    tags = sorted(rng.sample(_TAGS, rng.randint(1, 3))) if status != Status.OPEN else []
    comments = [
        {
            "author_id": rng.choice([reporter, *staff]),
            "body": text,
            "body_html": markdown.render(text),
            "created_at": min(now, created + dt.timedelta(hours=rng.randint(1, 200))),
        }
        for text in rng.sample(_COMMENTS, rng.randint(0, 3))
    ]
    issue = {
        "title": title,
        "description": description,
        "description_html": markdown.render(description),
        "severity": severity,
        "status": status,
        "reporter_id": reporter,
        "assignee_id": rng.choice(staff) if status in (Status.IN_PROGRESS, Status.DONE) else None,
        "version": len(history),
        "created_at": created,
        "updated_at": at,
    }
    return {"issue": issue, "activity": history, "tags": tags, "comments": comments}


def _act(
    reporter: int,
    actor: int,
    verb: Verb,
    field: str,
    old: str | None,
    new: str | None,
    at: dt.datetime,
    before: tuple[str, str] | None,
    after: tuple[str, str],
) -> Row:
    return {
        "status_before": before[0] if before else None,
        "severity_before": before[1] if before else None,
        "status_after": after[0],
        "severity_after": after[1],
        "reporter_id": reporter,
        "actor_id": actor,
        "verb": verb,
        "field": field,
        "old_value": old,
        "new_value": new,
        "created_at": at,
    }


def _description(rng: random.Random, title: str) -> str:
    return (
        f"**What happened:** {title.lower()}.\n\n"
        "**Steps to reproduce**\n\n"
        f"1. Open the {rng.choice(_AREAS).lower()} page\n"
        "2. Do the usual thing\n"
        "3. Wait a few seconds\n\n"
        f"**Expected:** it works. **Actual:** it {rng.choice(_SYMPTOMS)}.\n\n"
        f"```\nerror code {rng.randint(100, 999)}\n```\n"
    )


def _ids_by_role(s: Session) -> dict[Role, list[int]]:
    out: dict[Role, list[int]] = {}
    for user_id, role in s.execute(
        select(User.id, User.role).where(User.is_active.is_(True)).order_by(User.id)
    ):
        out.setdefault(role, []).append(user_id)
    return out
