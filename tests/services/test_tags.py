"""Tags: one tag whatever its case, the existing ones listed for suggestions, and admins
renaming or merging one (recorded on each issue)."""

from __future__ import annotations

import pytest

import services
from services import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_issue, team


def _tag(actor, issue_id, tags):
    with services.session() as s:
        return services.issues.set_tags(s, actor, issue_id, tags)


def test_case_makes_no_second_tag_and_the_list_counts_issues(db):
    people = team()
    a, b = make_issue(people["reporter"]), make_issue(people["reporter"])
    _tag(people["maintainer"], a.id, ["Regression", "ui"])
    _tag(people["maintainer"], b.id, ["regression"])
    with services.session() as s:
        listed = services.tags.list_tags(s, people["maintainer"])
    assert [(t.name, t.issues) for t in listed] == [("regression", 2), ("ui", 1)]
    with services.session() as s, pytest.raises(PermissionDenied):
        services.tags.list_tags(s, people["reporter"])


def test_a_tag_picker_gets_every_name_a_to_z_without_counting(db):
    people = team()
    a = make_issue(people["reporter"])
    _tag(people["maintainer"], a.id, ["zebra", "Alpha", "mid"])
    _tag(people["maintainer"], make_issue(people["reporter"]).id, ["mid"])
    _tag(people["maintainer"], a.id, ["zebra"])  # "alpha" and "mid" now carried by fewer
    with services.session() as s:
        assert services.tags.tag_names(s, people["maintainer"]) == ["alpha", "mid", "zebra"]
    with services.session() as s, pytest.raises(PermissionDenied):
        services.tags.tag_names(s, people["reporter"])


def test_renaming_into_an_existing_tag_merges_them(db, sent):
    people = team()
    a, b = make_issue(people["reporter"]), make_issue(people["reporter"])
    _tag(people["maintainer"], a.id, ["bug", "defect"])
    _tag(people["maintainer"], b.id, ["defect"])
    sent.clear()
    with services.session() as s:
        assert services.tags.rename_tag(s, people["admin"], "Defect", "bug") == 2
    with services.session() as s:
        assert services.issues.get_issue(s, people["admin"], a.id).tags == ["bug"]
        assert services.issues.get_issue(s, people["admin"], b.id).tags == ["bug"]
        assert [t.name for t in services.tags.list_tags(s, people["admin"])] == ["bug"]
        timeline = services.activity.list_activity(s, people["admin"], b.id)
    assert (timeline[-1].old_value, timeline[-1].new_value) == ("defect", "bug")
    assert any(e.op == "bulk" for e in sent)


def test_renaming_is_for_admins_and_checks_names(db):
    people = team()
    issue = make_issue(people["reporter"])
    _tag(people["maintainer"], issue.id, ["old"])
    with services.session() as s, pytest.raises(PermissionDenied):
        services.tags.rename_tag(s, people["maintainer"], "old", "new")
    with services.session() as s, pytest.raises(InvalidInput):
        services.tags.rename_tag(s, people["admin"], "old", "not a tag!")
    with services.session() as s, pytest.raises(NotFound):
        services.tags.rename_tag(s, people["admin"], "missing", "new")
    with services.session() as s:
        services.tags.rename_tag(s, people["admin"], "old", "new")
        assert services.issues.get_issue(s, people["admin"], issue.id).tags == ["new"]
