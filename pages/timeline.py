"""The timeline of an issue in words: what each activity row says happened."""

from __future__ import annotations

import datetime as dt

import services

from . import markup
from .components import RESOLUTION_LABELS, STATUS_LABELS, person, when

TIME = "text-xs opacity-60 w-16 shrink-0"


def timeline(activity: list[services.ActivityView]) -> str:
    """The issue's history, oldest first, as the items of one list element however long it
    is."""
    now = dt.datetime.now(dt.UTC)
    return "".join(
        '<li class="flex no-wrap gap-1 text-sm items-baseline">'
        + markup.moment(a.created_at, when(a.created_at, now), TIME)
        + markup.span(f"{person(a.actor)} {describe(a)}", "min-w-0 wrap-anywhere")
        + "</li>"
        for a in activity
    )


def describe(a: services.ActivityView) -> str:
    if a.verb == "created":
        return "filed the issue"
    if a.verb == "status":
        return (
            f"moved it from {STATUS_LABELS.get(a.old_value or '', a.old_value)} to "
            f"{STATUS_LABELS.get(a.new_value or '', a.new_value)}"
        )
    if a.verb == "edited":
        if a.field == "description":
            return "edited the description"
        if a.field == "redacted":
            return f"redacted {a.new_value}"
        if a.field == "resolution":
            if a.new_value:
                return f"resolved it as {RESOLUTION_LABELS.get(a.new_value, a.new_value)}"
            return "cleared the resolution"
        if a.field == "duplicate_of":
            if a.new_value:
                return f"marked it a duplicate of #{a.new_value}"
            return f"reopened it: no longer a duplicate of #{a.old_value}"
        return f"changed the {a.field} from “{a.old_value}” to “{a.new_value}”"
    if a.verb == "tags":
        return f"set the tags to {a.new_value or 'none'}"
    if a.verb == "assigned":
        if not a.new_value:
            return "removed the assignee"
        return f"assigned it to {a.new_label or 'someone no longer here'}"
    if a.verb == "commented":
        return "commented"
    if a.verb == "attached":
        return f"attached {a.new_value}"
    if a.verb == "deleted":
        return "deleted the issue"
    return str(a.verb)
