"""The status workflow: every allowed and every refused move, for staff."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import update

import services
from services import InvalidInput, InvalidTransition, Status
from services.enums import TRANSITIONS
from services.models import Issue
from tests.factories import make_issue, make_user

ALLOWED = {
    ("OPEN", "TRIAGED"),
    ("TRIAGED", "OPEN"),
    ("TRIAGED", "IN_PROGRESS"),
    ("IN_PROGRESS", "TRIAGED"),
    ("IN_PROGRESS", "DONE"),
    ("DONE", "IN_PROGRESS"),
    ("DONE", "OPEN"),
}


def test_the_table_matches_the_documented_workflow():
    assert {(a.value, b.value) for a, moves in TRANSITIONS.items() for b in moves} == ALLOWED


def _issue_in(status: str):
    maintainer = make_user("MAINTAINER")
    issue = make_issue(maintainer)
    with services.session() as s:  # place it directly; the moves under test come after
        s.execute(update(Issue).where(Issue.id == issue.id).values(status=status))
        s.commit()
    return maintainer, issue


@pytest.mark.parametrize(
    "current, target", list(itertools.product([m.value for m in Status], repeat=2))
)
def test_every_move(db, sent, current, target):
    maintainer, issue = _issue_in(current)
    sent.clear()
    with services.session() as s:
        if (current, target) in ALLOWED:
            view = services.issues.change_status(s, maintainer, issue.id, target)
            assert view.status == target
            assert [e.op for e in sent] == ["updated"]
        else:
            with pytest.raises(InvalidTransition) as err:
                services.issues.change_status(s, maintainer, issue.id, target)
            allowed = sorted(t for c, t in ALLOWED if c == current)
            assert sorted(err.value.allowed) == allowed
            assert all(a in err.value.message for a in allowed)
            assert sent == []
    with services.session() as s:
        stored = services.issues.get_issue(s, maintainer, issue.id).status
    assert stored == (target if (current, target) in ALLOWED else current)


def test_an_unknown_status_names_the_valid_ones(db):
    maintainer, issue = _issue_in("OPEN")
    with services.session() as s, pytest.raises(InvalidInput) as err:
        services.issues.change_status(s, maintainer, issue.id, "CLOSED")
    assert "OPEN" in err.value.message and "DONE" in err.value.message


def test_a_full_round_trip_is_recorded_in_the_timeline(db):
    maintainer, issue = _issue_in("OPEN")
    path = ["TRIAGED", "IN_PROGRESS", "DONE", "OPEN"]
    with services.session() as s:
        for target in path:
            services.issues.change_status(s, maintainer, issue.id, target)
    with services.session() as s:
        timeline = services.activity.list_activity(s, maintainer, issue.id)
    moves = [(a.old_value, a.new_value) for a in timeline if a.verb == "status"]
    assert moves == list(zip(["OPEN", *path[:-1]], path, strict=True))
    assert all(a.actor and a.actor.id == maintainer.id for a in timeline)
