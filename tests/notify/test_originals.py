"""The reporters an issue affects through its duplicates hear of its status changes, staff
comments and its being marked a duplicate, in a notification about their own duplicate that
names no one and says nothing their duplicate's page does not show."""

from __future__ import annotations

import pytest

import services
from services.events import ChangeEvent
from services.notify import dispatch
from tests.factories import make_issue, make_user, team

MOVED = "The issue yours duplicates moved to {}"
COMMENTED = "The issue yours duplicates has a new comment from the team"


@pytest.fixture
def people(db):
    return team()


@pytest.fixture
def merged(people):
    """The reporter's original (a secret title), and the other reporter's duplicate of it."""
    original = make_issue(people["reporter"], title="Payroll export leaks salaries")
    duplicate = make_issue(people["other"], title="Export is broken")
    _mark(people["maintainer"], duplicate.id, original.id)
    _read_all(people["other"])  # "marked the issue a duplicate": not what is tested here
    return original, duplicate


def _mark(actor, issue_id, of):
    with services.session() as s:
        services.duplicates.mark_duplicate(s, actor, issue_id, of)


def _status(actor, issue_id, status):
    with services.session() as s:
        services.issues.change_status(s, actor, issue_id, status)


def _comment(actor, issue_id, body):
    with services.session() as s:
        services.comments.add_comment(s, actor, issue_id, {"body": body})


def _inbox(actor):
    with services.session() as s:
        return services.notify.list_notifications(s, actor, unread_only=True)


def _read_all(actor):
    with services.session() as s:
        services.notify.mark_all_read(s, actor)


def _prefs(actor, **changes):
    with services.session() as s:
        current = services.notify.get_preferences(s, actor).model_dump()
        services.notify.update_preferences(s, actor, current | changes)


def test_a_status_change_on_the_original_tells_the_duplicates_reporter(people, merged, bells):
    original, duplicate = merged
    bells.clear()
    _status(people["maintainer"], original.id, "TRIAGED")
    [note] = _inbox(people["other"])
    assert (note.issue_id, note.link, note.issue_title) == (
        duplicate.id,
        f"/issues/{duplicate.id}",
        "Export is broken",
    )
    assert (note.kind, note.text) == ("original", MOVED.format("TRIAGED"))
    assert note.actor_name == ""  # who works on the original is not theirs to see
    assert ChangeEvent("notification", "created", user_id=people["other"].id) in bells
    # what their duplicate's page shows: the original's status, now the one they were told
    with services.session() as s:
        page = services.issues.get_issue(s, people["other"], duplicate.id)
    assert page.original_status == services.Status.TRIAGED
    assert [n.kind for n in _inbox(people["reporter"])] == ["status"]  # told as before


def test_a_staff_comment_tells_them_without_its_text_but_a_reporters_does_not(people, merged):
    original, duplicate = merged
    _comment(people["reporter"], original.id, "Still broken for me, salaries visible.")
    assert _inbox(people["other"]) == []
    _comment(people["maintainer"], original.id, "Salaries of the board are in the file.")
    [note] = _inbox(people["other"])
    assert (note.issue_id, note.text) == (duplicate.id, COMMENTED)
    assert "Salaries" not in note.model_dump_json()


def test_staff_only_changes_to_the_original_tell_them_nothing(people, merged):
    original, _ = merged
    maintainer, admin = people["maintainer"], people["admin"]
    with services.session() as s:
        services.issues.update_issue(
            s, maintainer, original.id, {"title": "Salaries leak (CFO)", "severity": "HIGH"}
        )
    with services.session() as s:
        services.issues.set_tags(s, maintainer, original.id, ["payroll"])
    with services.session() as s:
        services.issues.assign(s, admin, original.id, maintainer.id)
    assert _inbox(people["other"]) == []
    _status(maintainer, original.id, "TRIAGED")
    [note] = _inbox(people["other"])
    assert "Salaries" not in note.model_dump_json() and "payroll" not in note.text


def test_the_actor_is_not_told_of_their_own_change(people):
    """A maintainer who reported a duplicate themself and then moves the original."""
    maintainer, admin = people["maintainer"], people["admin"]
    original = make_issue(people["reporter"])
    duplicate = make_issue(maintainer)
    _mark(admin, duplicate.id, original.id)
    _read_all(maintainer)
    _status(maintainer, original.id, "TRIAGED")
    _comment(maintainer, original.id, "Triaged.")
    assert _inbox(maintainer) == []
    _status(admin, original.id, "IN_PROGRESS")
    assert [n.text for n in _inbox(maintainer)] == [MOVED.format("IN_PROGRESS")]


def test_their_preference_for_their_own_issues_governs(people, merged):
    original, _ = merged
    _prefs(people["other"], my_issues=False)
    _status(people["maintainer"], original.id, "TRIAGED")
    _comment(people["maintainer"], original.id, "Looking.")
    assert _inbox(people["other"]) == []


def test_duplicates_of_duplicates_are_told_once_per_change(people):
    """An original with a duplicate merged into another original: its duplicate's reporter
    is told once of the merge (a status change and a link in one transaction), then of
    the new original's changes."""
    reporter, other, maintainer = people["reporter"], people["other"], people["maintainer"]
    third = make_user()
    top = make_issue(reporter)
    middle = make_issue(other)
    bottom = make_issue(third, title="Mine")
    _mark(maintainer, bottom.id, middle.id)
    _read_all(third)
    _mark(maintainer, middle.id, top.id)
    assert [n.text for n in _inbox(third)] == [MOVED.format("DONE")]
    _read_all(third)
    _read_all(other)
    _status(maintainer, top.id, "TRIAGED")
    [note] = _inbox(third)
    assert (note.issue_id, note.text) == (bottom.id, MOVED.format("TRIAGED"))
    assert [(n.issue_id, n.kind) for n in _inbox(other)] == [(middle.id, "original")]


def test_a_reporter_of_the_original_and_a_duplicate_is_told_once(people):
    reporter, maintainer = people["reporter"], people["maintainer"]
    original, duplicate = make_issue(reporter), make_issue(reporter)
    _mark(maintainer, duplicate.id, original.id)
    _read_all(reporter)
    _status(maintainer, original.id, "TRIAGED")
    [note] = _inbox(reporter)
    assert (note.issue_id, note.kind) == (original.id, "status")


def test_they_are_mailed_about_their_duplicate(people, merged, mail_on):
    original, duplicate = merged  # merged before mail was configured: no mail for that
    _status(people["maintainer"], original.id, "TRIAGED")
    dispatch.wait_idle()
    mails = mail_on.wait_for(2)  # the original's reporter's, and the duplicate's
    [msg] = [m for m in mails if m["To"] == people["other"].email]
    assert msg["Subject"] == f"[#{duplicate.id}] Export is broken"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert MOVED.format("TRIAGED") in text
    assert f"http://tracker.test/issues/{duplicate.id}" in text
    assert "Payroll" not in text and people["maintainer"].full_name not in text
