"""Marking duplicates: the duplicate closes with a link, the original counts its reporters,
reopening undoes it, and stale or impossible merges are refused."""

from __future__ import annotations

import pytest

import services
from services import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.factories import make_issue, make_user, team


def _mark(actor, issue_id, of, version=None):
    with services.session() as s:
        return services.duplicates.mark_duplicate(s, actor, issue_id, of, version=version)


def _get(actor, issue_id):
    with services.session() as s:
        return services.issues.get_issue(s, actor, issue_id)


def _status(actor, issue_id, status):
    with services.session() as s:
        return services.issues.change_status(s, actor, issue_id, status)


def test_a_duplicate_closes_with_its_link_and_the_original_counts_each_reporter_once(db, sent):
    people = team()
    original = make_issue(people["reporter"], title="Export to CSV fails")
    dup = make_issue(people["other"], title="CSV export broken")
    same_person_again = make_issue(people["other"], title="csv download does nothing")
    assert original.affected == 1

    view = _mark(people["maintainer"], dup.id, original.id, version=dup.version)
    assert view.status == services.Status.DONE and view.duplicate_of == original.id
    assert view.original_status == services.Status.OPEN
    assert _get(people["admin"], original.id).affected == 2
    _mark(people["maintainer"], same_person_again.id, original.id)
    assert _get(people["admin"], original.id).affected == 2  # the same person counts once
    updated = {e.issue_id for e in sent if e.op == "updated"}
    assert {original.id, dup.id} <= updated  # both pages hear of it
    # nothing else moved: the original is still open, its version unchanged by the count
    assert _get(people["admin"], original.id).status == services.Status.OPEN
    assert _get(people["admin"], original.id).version == original.version

    with services.session() as s:
        kinds = [
            (a.field, a.new_value)
            for a in services.activity.list_activity(s, people["admin"], dup.id)
        ]
    assert ("status", "DONE") in kinds and ("duplicate_of", str(original.id)) in kinds


def test_reopening_a_duplicate_undoes_the_merge(db):
    people = team()
    original = make_issue(people["reporter"])
    dup = make_issue(people["other"])
    _mark(people["maintainer"], dup.id, original.id)
    reopened = _status(people["maintainer"], dup.id, "OPEN")
    assert reopened.duplicate_of is None and reopened.status == services.Status.OPEN
    assert _get(people["admin"], original.id).affected == 1


def test_a_stale_version_is_a_conflict_and_nothing_changes(db):
    people = team()
    original = make_issue(people["reporter"])
    dup = make_issue(people["other"])
    _status(people["maintainer"], dup.id, "TRIAGED")  # someone moved it meanwhile
    with pytest.raises(Conflict):
        _mark(people["maintainer"], dup.id, original.id, version=dup.version)
    assert _get(people["admin"], dup.id).duplicate_of is None
    assert _get(people["admin"], original.id).affected == 1


def test_links_point_at_originals_and_never_at_themselves(db):
    people = team()
    a, b, c = (make_issue(people["reporter"]) for _ in range(3))
    _mark(people["maintainer"], b.id, a.id)
    with pytest.raises(InvalidInput, match=f"duplicate of #{a.id}"):
        _mark(people["maintainer"], c.id, b.id)
    with pytest.raises(InvalidInput, match="itself"):
        _mark(people["maintainer"], c.id, c.id)
    with pytest.raises(NotFound):
        _mark(people["maintainer"], c.id, 999_999)


def test_an_original_with_duplicates_merged_into_another_passes_its_reporters_on(db):
    people = team()
    third = make_user()
    a = make_issue(people["reporter"])
    b = make_issue(people["other"])
    c = make_issue(third)
    _mark(people["maintainer"], c.id, b.id)  # b affects 2
    _mark(people["maintainer"], b.id, a.id)  # a now affects all three
    assert _get(people["admin"], a.id).affected == 3
    _status(people["maintainer"], c.id, "OPEN")
    assert _get(people["admin"], b.id).affected == 1
    assert _get(people["admin"], a.id).affected == 2


def test_reporters_cannot_mark_duplicates(db):
    people = team()
    a = make_issue(people["reporter"])
    b = make_issue(people["reporter"])
    with pytest.raises(PermissionDenied):
        _mark(people["reporter"], b.id, a.id)


def test_deleting_an_original_leaves_its_duplicates_closed_and_unlinked(db):
    people = team()
    a = make_issue(people["reporter"])
    b = make_issue(people["other"])
    _mark(people["maintainer"], b.id, a.id)
    with services.session() as s:
        services.issues.delete_issue(s, people["admin"], a.id)
    after = _get(people["admin"], b.id)
    assert after.duplicate_of is None and after.status == services.Status.DONE


def test_deleting_a_duplicate_recounts_its_original(db):
    people = team()
    a = make_issue(people["reporter"])
    b = make_issue(people["other"])
    _mark(people["maintainer"], b.id, a.id)
    with services.session() as s:
        services.issues.delete_issue(s, people["admin"], b.id)
    assert _get(people["admin"], a.id).affected == 1


def test_the_list_sorts_by_affected(db):
    people = team()
    make_issue(people["reporter"], title="A")
    b = make_issue(people["reporter"], title="B")
    _mark(people["maintainer"], make_issue(people["other"]).id, b.id)
    with services.session() as s:
        page = services.issues.list_issues(s, people["admin"], sort="-affected", status="OPEN")
    assert [i.title for i in page.items] == ["B", "A"]
    assert [i.affected for i in page.items] == [2, 1]
    with services.session() as s:
        several = services.issues.list_issues(s, people["admin"], affected_min=2, status="OPEN")
    assert ([i.title for i in several.items], several.total) == (["B"], 1)
    with services.session() as s, pytest.raises(services.InvalidInput):
        services.issues.list_issues(s, people["admin"], affected_min=0)


def test_the_csv_export_carries_the_link_and_the_count(db):
    people = team()
    a = make_issue(people["reporter"])
    b = make_issue(people["other"])
    _mark(people["maintainer"], b.id, a.id)
    with services.session() as s:
        header, *rows = list(services.csvio.export_rows(s, people["admin"]))
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert (by_id[str(a.id)]["duplicate_of"], by_id[str(a.id)]["affected"]) == ("", "2")
    assert (by_id[str(b.id)]["duplicate_of"], by_id[str(b.id)]["affected"]) == (str(a.id), "1")
