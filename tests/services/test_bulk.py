"""Bulk edit: one staff action on many issues, each checked on its own (version, workflow),
the failures reported per issue and left untouched, the rest applied; one live event."""

from __future__ import annotations

import pytest

import services
from services import InvalidInput, PermissionDenied
from tests.factories import make_issue, team


def _bulk(actor, changes, **where):
    with services.session() as s:
        return services.bulk.bulk_update(s, actor, changes, **where)


def _get(actor, issue_id):
    with services.session() as s:
        return services.issues.get_issue(s, actor, issue_id)


def _history(actor, issue_id):
    with services.session() as s:
        return services.activity.list_activity(s, actor, issue_id)


def test_status_severity_assignee_and_tags_for_many_issues_at_once(db):
    people = team()
    maintainer = people["maintainer"]
    made = [make_issue(people["reporter"], title=f"Crash {n}") for n in range(5)]
    result = _bulk(
        maintainer,
        {
            "status": "TRIAGED",
            "severity": "HIGH",
            "assignee_id": maintainer.id,
            "add_tags": ["Regression", "ui"],
        },
        ids=[i.id for i in made],
    )
    assert (result.applied, result.unchanged, result.failed) == (5, 0, 0)
    for issue in made:
        now = _get(maintainer, issue.id)
        assert (now.status, now.severity, now.assignee.id) == ("TRIAGED", "HIGH", maintainer.id)
        assert now.tags == ["regression", "ui"]
        assert now.version > issue.version
        verbs = [h.verb for h in _history(maintainer, issue.id)]
        assert {"status", "edited", "assigned", "tags"} <= set(verbs)


def test_what_cannot_move_is_reported_per_issue_and_the_rest_applied(db):
    people = team()
    m = people["maintainer"]
    ready = make_issue(people["reporter"])
    services_move(m, ready.id, "TRIAGED")
    fresh = make_issue(people["reporter"])
    result = _bulk(m, {"status": "IN_PROGRESS", "severity": "CRITICAL"}, ids=[ready.id, fresh.id])
    by_id = {i.id: i for i in result.items}
    assert by_id[ready.id].ok and by_id[ready.id].changed
    refused = by_id[fresh.id]
    assert not refused.ok
    assert refused.error.startswith(f"#{fresh.id}: Cannot move from OPEN to IN_PROGRESS")
    # Nothing half-written on the refused one: its severity did not change either.
    assert _get(m, fresh.id).severity == "MEDIUM"
    assert _get(m, ready.id).severity == "CRITICAL"


def test_a_stale_version_leaves_that_issue_alone(db):
    people = team()
    m = people["maintainer"]
    a, b = make_issue(people["reporter"]), make_issue(people["reporter"])
    with services.session() as s:  # someone edits b after the list was loaded
        services.issues.update_issue(s, m, b.id, {"title": "Edited meanwhile"})
    result = _bulk(
        m, {"severity": "LOW"}, ids=[a.id, b.id], versions={a.id: a.version, b.id: b.version}
    )
    assert [i.ok for i in result.items] == [True, False]
    assert "changed by someone else" in result.items[1].error
    assert _get(m, b.id).severity == "MEDIUM"


def test_a_filter_selects_every_matching_issue_the_actor_may_see(db):
    people = team()
    m = people["maintainer"]
    low = [make_issue(people["reporter"], severity="LOW") for _ in range(3)]
    other = make_issue(people["reporter"], severity="HIGH")
    result = _bulk(m, {"comment": "Looking at these **today**."}, filter={"severity": "LOW"})
    assert sorted(i.id for i in result.items) == sorted(i.id for i in low)
    with services.session() as s:
        said = services.comments.list_comments(s, m, low[0].id)
        assert [c.body for c in said] == ["Looking at these **today**."]
        assert "<strong>today</strong>" in said[0].body_html
        assert services.comments.list_comments(s, m, other.id) == []


def test_already_as_asked_is_unchanged_not_an_error(db):
    people = team()
    m = people["maintainer"]
    issue = make_issue(people["reporter"], severity="HIGH")
    result = _bulk(m, {"severity": "HIGH", "assignee_id": None}, ids=[issue.id])
    assert (result.applied, result.unchanged, result.failed) == (0, 1, 0)
    assert _get(m, issue.id).version == issue.version


def test_remove_and_replace_tags(db):
    people = team()
    m = people["maintainer"]
    issue = make_issue(people["maintainer"], tags=["ui", "crash"])
    _bulk(m, {"remove_tags": ["UI"], "add_tags": ["backend"]}, ids=[issue.id])
    assert _get(m, issue.id).tags == ["backend", "crash"]
    _bulk(m, {"tags": []}, ids=[issue.id])
    assert _get(m, issue.id).tags == []


def test_staff_only_and_unseen_issues_are_not_found(db):
    people = team()
    issue = make_issue(people["reporter"])
    with pytest.raises(PermissionDenied):
        _bulk(people["reporter"], {"severity": "LOW"}, ids=[issue.id])
    result = _bulk(people["maintainer"], {"severity": "LOW"}, ids=[issue.id, 999_999])
    assert [i.ok for i in result.items] == [True, False]
    assert result.items[1].error == "#999999: Issue not found."


@pytest.mark.parametrize(
    ("changes", "where", "says"),
    [
        ({}, {"ids": [1]}, "at least one change"),
        ({"resolution": "wont_fix"}, {"ids": [1]}, "DONE only"),
        ({"status": "DONE", "resolution": "duplicate"}, {"ids": [1]}, "one at a time"),
        ({"tags": ["a"], "add_tags": ["b"]}, {"ids": [1]}, "not both"),
        ({"severity": "LOW"}, {"ids": []}, "at least one issue"),
        ({"severity": "LOW"}, {}, "ids or a filter"),
        ({"severity": "LOW"}, {"ids": list(range(1, 1002))}, "at most 1000"),
        ({"assignee_id": 999_999}, {"ids": [1]}, "active maintainer or admin"),
    ],
)
def test_bad_requests_say_why_and_change_nothing(db, changes, where, says):
    people = team()
    issue = make_issue(people["reporter"])
    with pytest.raises(InvalidInput, match="(?i)" + says):
        _bulk(people["maintainer"], changes, **where)
    assert _get(people["maintainer"], issue.id).version == issue.version


def test_open_pages_hear_one_event_for_the_whole_action(db, sent):
    people = team()
    made = [make_issue(people["reporter"]) for _ in range(4)]
    sent.clear()
    _bulk(
        people["maintainer"], {"status": "TRIAGED", "comment": "Triaged."}, ids=[i.id for i in made]
    )
    about_issues = [e for e in sent if e.kind in ("issue", "comment")]
    assert [(e.kind, e.op) for e in about_issues] == [("issue", "bulk")]


def test_the_reporter_is_notified_as_for_a_single_change(db):
    people = team()
    issue = make_issue(people["reporter"])
    _bulk(people["maintainer"], {"status": "TRIAGED"}, ids=[issue.id])
    with services.session() as s:
        notes = services.notify.inbox.list_notifications(s, people["reporter"])
    assert [n.issue_id for n in notes] == [issue.id]


def services_move(actor, issue_id, status):
    with services.session() as s:
        services.issues.change_status(s, actor, issue_id, status)
