"""Issue writes checked three ways: the returned view, the stored row, the emitted events."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import services
from services import Conflict, InvalidInput, NotFound
from services.events import ChangeEvent
from services.models import Activity, Issue, IssueTag
from tests.factories import make_issue, make_user


@pytest.fixture
def staff(db):
    return make_user("MAINTAINER")


def _row(issue_id):
    with services.session() as s:
        return s.get(Issue, issue_id)


def test_create_returns_stores_and_announces(staff, sent):
    view = make_issue(
        staff,
        title="  Login fails  ",
        description="**bold** <script>x</script>",
        severity="CRITICAL",
        tags=["auth", "ui"],
    )
    assert (view.title, view.severity, view.status, view.tags) == (
        "Login fails",
        "CRITICAL",
        "OPEN",
        ["auth", "ui"],
    )
    assert "<strong>bold</strong>" in view.description_html
    assert "<script>" not in view.description_html
    row = _row(view.id)
    assert (row.title, row.version, row.reporter_id) == ("Login fails", view.version, staff.id)
    assert sent == [ChangeEvent("issue", "created", view.id, staff.id)]


TRACE = """Traceback (most recent call last):
  File "app/export.py", line 12, in render
    pdf = build(invoice)
ZeroDivisionError: division by zero"""


@pytest.mark.parametrize("role", ["REPORTER", "MAINTAINER"])
def test_the_view_a_create_returns_is_the_one_a_read_returns(db, role):
    """A create builds its answer from what it wrote; every field must be the stored one."""
    me = make_user(role, full_name="Cleo Creator")
    tags = ["printer", "Auth"] if role == "MAINTAINER" else []
    made = make_issue(me, title="Crash on export", description=TRACE, severity="HIGH", tags=tags)
    with services.session() as s:
        read = services.issues.get_issue(s, me, made.id)
    assert made.signatures and made.signatures == read.signatures  # read in the same write
    assert made.tags == read.tags
    assert made.model_dump() == read.model_dump()
    assert made.model_dump_json() == read.model_dump_json()


def test_invalid_input_writes_nothing_and_announces_nothing(staff, sent):
    bad = [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "description": "y" * 20_001},
        {"title": "ok", "severity": "APOCALYPTIC"},
        {"title": "ok", "status": "DONE"},
        {"title": "ok", "reporter_id": 1},
        {"title": "ok", "version": 7},
    ]
    for data in bad:
        with services.session() as s, pytest.raises(InvalidInput):
            services.issues.create_issue(s, staff, data)
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == 0
        assert s.scalar(select(func.count()).select_from(Activity)) == 0
    assert sent == []


def test_a_stale_edit_is_refused_with_the_current_state(staff, sent):
    issue = make_issue(staff, title="First")
    with services.session() as s:
        services.issues.update_issue(s, staff, issue.id, {"title": "Second"}, version=issue.version)
    sent.clear()
    with services.session() as s, pytest.raises(Conflict) as err:
        services.issues.update_issue(s, staff, issue.id, {"title": "Third"}, version=issue.version)
    assert err.value.current.title == "Second"
    assert err.value.current.version == issue.version + 1
    assert _row(issue.id).title == "Second"
    assert sent == []
    with services.session() as s, pytest.raises(Conflict):
        services.issues.change_status(s, staff, issue.id, "TRIAGED", version=issue.version)


def test_every_visible_change_bumps_the_version(staff):
    issue = make_issue(staff)
    other = make_user("MAINTAINER")
    with services.session() as s:
        v2 = services.issues.set_tags(s, staff, issue.id, ["db"], version=issue.version)
        v3 = services.issues.assign(s, staff, issue.id, other.id, version=v2.version)
        v4 = services.issues.change_status(s, staff, issue.id, "TRIAGED", version=v3.version)
    assert [v2.version, v3.version, v4.version] == [issue.version + n for n in (1, 2, 3)]
    assert v4.assignee and v4.assignee.id == other.id
    with services.session() as s:  # a no-op changes nothing
        same = services.issues.set_tags(s, staff, issue.id, ["db"])
    assert same.version == v4.version


def test_a_concurrent_write_that_slips_past_the_check_still_conflicts(staff, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so this race cannot happen")
    issue = make_issue(staff, title="Before")
    with services.session() as slow:
        stale = slow.get(Issue, issue.id)  # held at the old version, as just before a race
        assert stale is not None
        with services.session() as fast:
            services.issues.update_issue(fast, staff, issue.id, {"title": "Fast"})
        with pytest.raises(Conflict) as err:
            services.issues.update_issue(slow, staff, issue.id, {"title": "Slow"})
    assert err.value.current.title == "Fast"
    assert _row(issue.id).title == "Fast"


def test_assigning_to_a_reporter_or_unknown_user_is_refused(staff):
    issue = make_issue(staff)
    reporter = make_user("REPORTER")
    for target in (reporter.id, 424242):
        with services.session() as s, pytest.raises(InvalidInput):
            services.issues.assign(s, staff, issue.id, target)
    with services.session() as s:
        assert services.issues.assign(s, staff, issue.id, None).assignee is None


def test_events_only_after_commit(staff, sent):
    issue = make_issue(staff)
    sent.clear()
    with services.session() as s:
        row = s.get(Issue, issue.id)
        row.title = "Never saved"
        services.events.emit(s, ChangeEvent("issue", "updated", issue.id, staff.id))
        s.rollback()
    assert sent == []
    assert _row(issue.id).title != "Never saved"


def test_delete_keeps_the_audit_trail(db, sent):
    admin = make_user("ADMIN")
    issue = make_issue(admin, tags=["x"])
    with services.session() as s:
        services.comments.add_comment(s, admin, issue.id, {"body": "hello"})
    sent.clear()
    with services.session() as s:
        services.issues.delete_issue(s, admin, issue.id)
    assert sent == [ChangeEvent("issue", "deleted", issue.id, admin.id)]
    with services.session() as s:
        assert s.get(Issue, issue.id) is None
        assert s.scalar(select(func.count()).select_from(IssueTag)) == 0
        verbs = s.scalars(select(Activity.verb).where(Activity.issue_id == issue.id)).all()
    assert verbs[0] == "created" and verbs[-1] == "deleted"
    with services.session() as s, pytest.raises(NotFound):
        services.activity.list_activity(s, admin, issue.id)


def test_edits_are_recorded_field_by_field(staff):
    issue = make_issue(staff, title="Old", severity="LOW")
    with services.session() as s:
        services.issues.update_issue(
            s,
            staff,
            issue.id,
            {"title": "New", "severity": "HIGH", "description": "Something *broke*."},
        )
        timeline = services.activity.list_activity(s, staff, issue.id)
    edits = [(a.field, a.old_value, a.new_value) for a in timeline if a.verb == "edited"]
    assert edits == [("title", "Old", "New"), ("severity", "LOW", "HIGH")]


def test_the_timeline_names_who_an_issue_was_assigned_to(staff):
    issue = make_issue(staff)
    carl = make_user("MAINTAINER", full_name="Carl Maint")
    with services.session() as s:
        services.issues.assign(s, staff, issue.id, carl.id)
    with services.session() as s:
        services.issues.assign(s, staff, issue.id, None)
    with services.session() as s:
        rows = [
            a for a in services.activity.list_activity(s, staff, issue.id) if a.verb == "assigned"
        ]
    assert [(a.old_label, a.new_label) for a in rows] == [
        (None, "Carl Maint"),
        ("Carl Maint", None),
    ]
