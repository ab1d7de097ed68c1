"""Enumerations stored as strings (with CHECK constraints, never database ENUM types)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REPORTER = "REPORTER"
    MAINTAINER = "MAINTAINER"
    ADMIN = "ADMIN"


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Status(StrEnum):
    OPEN = "OPEN"
    TRIAGED = "TRIAGED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


class Resolution(StrEnum):
    """How a DONE issue ended; cleared when it is reopened."""

    FIXED = "fixed"
    WONT_FIX = "wont_fix"
    DUPLICATE = "duplicate"
    INVALID = "invalid"
    WITHDRAWN = "withdrawn"


# Staff may close an OPEN or TRIAGED issue straight away with one of these (no work done);
# `fixed` needs the work: the one-step workflow below.
CLOSED_WITHOUT_WORK = frozenset({Resolution.WONT_FIX, Resolution.DUPLICATE, Resolution.INVALID})

STAFF_ROLES = frozenset({Role.MAINTAINER, Role.ADMIN})

# The workflow: one step forward or back along the line, and DONE -> OPEN reopens.
TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.OPEN: (Status.TRIAGED,),
    Status.TRIAGED: (Status.OPEN, Status.IN_PROGRESS),
    Status.IN_PROGRESS: (Status.TRIAGED, Status.DONE),
    Status.DONE: (Status.IN_PROGRESS, Status.OPEN),
}

SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
STATUS_RANK = {s: i for i, s in enumerate(Status)}


class Verb(StrEnum):
    """What an activity row records."""

    CREATED = "created"
    EDITED = "edited"
    STATUS = "status"
    TAGS = "tags"
    ASSIGNED = "assigned"
    COMMENTED = "commented"
    ATTACHED = "attached"
    DELETED = "deleted"
