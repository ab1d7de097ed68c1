"""The domain and service layer of the Issues & Insights Tracker.

Usable on its own (a notebook, a script, a job)::

    import services
    services.connect("sqlite:///var/tracker.db", upload_dir="var/uploads")
    with services.session() as s:
        me = services.users.actor_for(s, email="ana@example.com")
        page = services.issues.list_issues(s, me, status="OPEN", page_size=100)

Nothing connects at import time.
"""

from . import (
    activity,
    attachments,
    auth,
    comments,
    csvio,
    daily,
    db,
    events,
    filters,
    idempotency,
    insights,
    issues,
    jobs,
    permissions,
    stats,
    throttle,
    users,
    watch,
)
from .db import begin_write, connect, runtime, session
from .enums import Role, Severity, Status
from .errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StorageError,
    TooLarge,
    Unavailable,
    UnsupportedType,
)
from .filters import IssueFilter, IssueQuery
from .schemas import (
    ActivityView,
    Actor,
    AttachmentView,
    CommentCreate,
    CommentView,
    IssueCreate,
    IssueSummary,
    IssueUpdate,
    IssueView,
    Page,
    Registration,
    UserCreate,
    UserRef,
    UserUpdate,
    UserView,
)

__all__ = [
    "ActivityView",
    "Actor",
    "AttachmentView",
    "AuthenticationFailed",
    "CommentCreate",
    "CommentView",
    "Conflict",
    "DomainError",
    "InvalidInput",
    "InvalidTransition",
    "IssueCreate",
    "IssueFilter",
    "IssueQuery",
    "IssueSummary",
    "IssueUpdate",
    "IssueView",
    "NotFound",
    "Page",
    "PermissionDenied",
    "Registration",
    "Role",
    "Severity",
    "Status",
    "StorageError",
    "TooLarge",
    "Unavailable",
    "UnsupportedType",
    "UserCreate",
    "UserRef",
    "UserUpdate",
    "UserView",
    "activity",
    "attachments",
    "auth",
    "begin_write",
    "comments",
    "connect",
    "csvio",
    "daily",
    "db",
    "events",
    "filters",
    "idempotency",
    "insights",
    "issues",
    "jobs",
    "permissions",
    "runtime",
    "session",
    "stats",
    "throttle",
    "users",
    "watch",
]
