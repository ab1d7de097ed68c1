"""Resolutions: how a DONE issue ended. `fixed` by default after the work; staff close an
OPEN or TRIAGED issue outright as won't fix, duplicate or invalid; a reporter withdraws
their own open issue; reopening clears it."""

from __future__ import annotations

import pytest

import services
from services import InvalidInput, InvalidTransition, PermissionDenied
from tests.factories import make_issue, team


def _move(actor, issue_id, status, resolution=None):
    with services.session() as s:
        return services.issues.change_status(s, actor, issue_id, status, resolution=resolution)


def test_done_after_the_work_is_fixed_and_reopening_clears_it(db):
    people = team()
    issue = make_issue(people["reporter"])
    for status in ("TRIAGED", "IN_PROGRESS"):
        _move(people["maintainer"], issue.id, status)
    done = _move(people["maintainer"], issue.id, "DONE")
    assert done.resolution == services.Resolution.FIXED
    assert _move(people["maintainer"], issue.id, "OPEN").resolution is None


def test_staff_close_an_open_issue_outright_only_without_work(db):
    people = team()
    issue = make_issue(people["reporter"])
    closed = _move(people["maintainer"], issue.id, "DONE", "wont_fix")
    assert (closed.status, closed.resolution) == ("DONE", "wont_fix")
    other = make_issue(people["reporter"])
    with pytest.raises(InvalidTransition):  # "fixed" needs the work: the one-step rule
        _move(people["maintainer"], other.id, "DONE", "fixed")
    with pytest.raises(InvalidTransition):
        _move(people["maintainer"], other.id, "DONE")
    _move(people["maintainer"], other.id, "TRIAGED")
    assert _move(people["maintainer"], other.id, "DONE", "invalid").resolution == "invalid"


def test_a_reporter_withdraws_their_own_open_issue_and_nothing_else(db):
    people = team()
    mine = make_issue(people["reporter"])
    with pytest.raises(PermissionDenied):
        _move(people["reporter"], mine.id, "DONE", "wont_fix")
    withdrawn = _move(people["reporter"], mine.id, "DONE", "withdrawn")
    assert withdrawn.resolution == "withdrawn"
    with pytest.raises(PermissionDenied):  # reopening is the team's
        _move(people["reporter"], mine.id, "OPEN")
    triaged = make_issue(people["reporter"])
    _move(people["maintainer"], triaged.id, "TRIAGED")
    with pytest.raises(PermissionDenied):  # once triaged, it is the team's to close
        _move(people["reporter"], triaged.id, "DONE", "withdrawn")
    with services.session() as s, pytest.raises(services.NotFound):
        services.issues.change_status(s, people["other"], mine.id, "DONE", resolution="withdrawn")


def test_a_resolution_needs_done_and_a_known_name(db):
    people = team()
    issue = make_issue(people["reporter"])
    with pytest.raises(InvalidInput, match="DONE only"):
        _move(people["maintainer"], issue.id, "TRIAGED", "fixed")
    with pytest.raises(InvalidInput, match="Unknown resolution"):
        _move(people["maintainer"], issue.id, "DONE", "solved")


def test_a_duplicate_is_resolved_as_duplicate(db):
    people = team()
    original, dup = make_issue(people["reporter"]), make_issue(people["other"])
    with services.session() as s:
        view = services.duplicates.mark_duplicate(s, people["maintainer"], dup.id, original.id)
    assert view.resolution == "duplicate"
    assert _move(people["maintainer"], dup.id, "OPEN").resolution is None


def test_the_timeline_and_the_export_carry_the_resolution(db):
    people = team()
    issue = make_issue(people["reporter"])
    _move(people["maintainer"], issue.id, "DONE", "invalid")
    with services.session() as s:
        rows = services.activity.list_activity(s, people["admin"], issue.id)
        header, row = list(services.csvio.export_rows(s, people["admin"]))
    assert ("resolution", None, "invalid") in [(a.field, a.old_value, a.new_value) for a in rows]
    assert dict(zip(header, row, strict=True))["resolution"] == "invalid"


def test_insights_count_only_fixed_in_time_to_done_and_show_resolutions(db):
    import datetime as dt

    people = team()
    fixed = make_issue(people["reporter"], severity="HIGH")
    for status in ("TRIAGED", "IN_PROGRESS", "DONE"):
        _move(people["maintainer"], fixed.id, status)
    refused = make_issue(people["reporter"], severity="HIGH")
    _move(people["maintainer"], refused.id, "DONE", "wont_fix")
    today = dt.datetime.now(dt.UTC).date()
    with services.session() as s:
        [high] = [
            c
            for c in services.insights.cycle_times(s, people["admin"], today, today)
            if c.severity == "HIGH"
        ]
        ended = services.insights.resolutions(s, people["admin"], today, today)
    assert high.issues == 2 and high.median_hours_to_done is not None
    # only the fixed one counts: a won't-fix closed at once would pull the median to zero
    with services.session() as s:
        _move(people["maintainer"], fixed.id, "OPEN")
        only_refused = next(
            c
            for c in services.insights.cycle_times(s, people["admin"], today, today)
            if c.severity == "HIGH"
        )
    assert only_refused.median_hours_to_done is None
    assert ended == {"fixed": 1, "wont_fix": 1, "duplicate": 0, "invalid": 0, "withdrawn": 0}
