"""Saved views: a user's named list queries, private unless an admin shares one; a view is
only a URL, so what it lists still follows the opener's rights."""

from __future__ import annotations

import pytest

import services
from services import Conflict, InvalidInput, NotFound, PermissionDenied, filters
from services.events import ChangeEvent
from tests.factories import make_issue, make_user, team


def _save(actor, name, query="", **kw):
    with services.session() as s:
        return services.views.save_view(s, actor, {"name": name, "query": query, **kw})


def _list(actor):
    with services.session() as s:
        return services.views.list_views(s, actor)


def _update(actor, view_id, **changes):
    with services.session() as s:
        return services.views.update_view(s, actor, view_id, changes)


def _delete(actor, view_id):
    with services.session() as s:
        services.views.delete_view(s, actor, view_id)


def test_a_view_keeps_the_filters_and_sort_of_the_url_only(db):
    me = team()["maintainer"]
    view = _save(
        me,
        "  Hot ones ",
        "?status=DONE&page=3&per=50&status=OPEN&focus=search&q=crash%20log&sort=-severity",
    )
    assert view.name == "Hot ones"
    assert view.query == "q=crash+log&status=OPEN&status=DONE&sort=-severity"
    assert view.url == "/?" + view.query
    assert not view.shared and view.owner_id == me.id
    everything = _save(me, "Everything", "page=2")
    assert (everything.query, everything.url) == ("", "/")


def test_the_list_is_own_and_shared_views_by_name(db):
    people = team()
    _save(people["maintainer"], "zebra")
    _save(people["maintainer"], "Alpha", "status=OPEN")
    _save(people["admin"], "Bugs", "tag=bug", shared=True)
    _save(people["admin"], "Admin's own")
    listed = _list(people["maintainer"])
    assert [(v.name, v.shared) for v in listed] == [
        ("Alpha", False),
        ("Bugs", True),
        ("zebra", False),
    ]
    assert [v.name for v in _list(people["reporter"])] == ["Bugs"]


def test_another_users_private_view_is_invisible_and_untouchable(db):
    people = team()
    mine = _save(people["reporter"], "Mine", "status=OPEN")
    for someone in (people["other"], people["admin"]):
        assert _list(someone) == []
        with pytest.raises(NotFound, match="View not found"):
            _update(someone, mine.id, name="Taken")
        with pytest.raises(NotFound):
            _update(someone, mine.id, shared=True)
        with pytest.raises(NotFound):
            _delete(someone, mine.id)
    assert [v.name for v in _list(people["reporter"])] == ["Mine"]
    _delete(people["reporter"], mine.id)
    assert _list(people["reporter"]) == []


def test_names_are_one_line_of_at_most_60_characters_unique_per_owner_in_any_case(db):
    people = team()
    me = people["maintainer"]
    first = _save(me, "Triage")
    with pytest.raises(Conflict, match="You already have a view named “Triage”"):
        _save(me, " TRIAGE ", "status=OPEN")
    assert _save(people["admin"], "triage").name == "triage"  # another owner: fine
    for bad, problem in [
        ("   ", "is required"),
        ("x" * 61, "must be at most 60 characters"),
        ("two\nlines", "must be a single line without control characters"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            _save(me, bad)
        assert refused.value.errors == {"name": problem}
    assert _save(me, "é" * 60).name == "é" * 60
    # Asked to, a save replaces the query of the view of that name (and takes its spelling).
    replaced = _save(me, "TRIAGE", "status=OPEN", replace=True)
    assert (replaced.id, replaced.name, replaced.query) == (first.id, "TRIAGE", "status=OPEN")
    assert [v.name for v in _list(me)] == ["TRIAGE", "é" * 60]


def test_renaming_checks_the_owners_other_names(db):
    me = team()["maintainer"]
    a, b = _save(me, "Open"), _save(me, "Closed")
    with pytest.raises(Conflict, match="already have a view named “Open”"):
        _update(me, b.id, name="open")
    assert _update(me, a.id, name="OPEN").name == "OPEN"  # its own name in another case
    changed = _update(me, b.id, name=" Done ", query="status=DONE&page=4")
    assert (changed.name, changed.query) == ("Done", "status=DONE")
    assert changed.updated_at >= changed.created_at


def test_a_bad_query_is_refused_naming_the_value(db):
    me = team()["maintainer"]
    with pytest.raises(InvalidInput) as refused:
        _save(me, "Bogus", "status=BOGUS")
    assert "Unknown status BOGUS" in refused.value.errors["query"]
    with pytest.raises(InvalidInput) as refused:
        _save(me, "Many", "&".join(["q=x"] * 101))
    assert "at most 100 parameters" in refused.value.errors["query"]
    with pytest.raises(InvalidInput) as refused:
        _save(me, "Unsorted", "sort=color")
    assert "Unknown sort" in refused.value.errors["query"]
    assert _list(me) == []


def test_only_admins_share_and_anyone_may_see_a_shared_view(db):
    people = team()
    with pytest.raises(PermissionDenied, match="Only administrators can share"):
        _save(people["maintainer"], "Team", shared=True)
    own = _save(people["maintainer"], "Team")
    with pytest.raises(PermissionDenied, match="Only administrators"):
        _update(people["maintainer"], own.id, shared=True)
    shared = _save(people["admin"], "Open bugs", "status=OPEN&tag=bug", shared=True)
    assert shared.shared
    for role in ("reporter", "other", "maintainer"):
        assert [v.id for v in _list(people[role]) if v.shared] == [shared.id]
        with pytest.raises(PermissionDenied, match="Only its owner or an administrator"):
            _update(people[role], shared.id, name="Mine now")
        with pytest.raises(PermissionDenied):
            _delete(people[role], shared.id)
    # Another admin may change, unshare or delete a shared view; unshared, it is private.
    second_admin = make_user("ADMIN")
    assert _update(second_admin, shared.id, name="Open bugs!").name == "Open bugs!"
    assert not _update(second_admin, shared.id, shared=False).shared
    assert [v.name for v in _list(people["reporter"])] == []
    with pytest.raises(NotFound):
        _delete(second_admin, shared.id)
    assert [v.name for v in _list(people["admin"])] == ["Open bugs!"]


def test_a_reporter_opening_a_shared_view_sees_only_their_own_issues(db):
    people = team()
    mine = make_issue(people["reporter"], severity="HIGH")
    theirs = make_issue(people["other"], severity="HIGH")
    make_issue(people["reporter"], severity="LOW")
    _save(people["admin"], "High ones", "severity=HIGH&sort=id", shared=True)

    def opened(actor) -> list[int]:
        [view] = _list(actor)
        with services.session() as s:
            page = services.issues.list_issues(s, actor, filters.query_from_url(view.query))
        return [i.id for i in page.items]

    assert opened(people["reporter"]) == [mine.id]
    assert opened(people["other"]) == [theirs.id]
    assert opened(people["maintainer"]) == [mine.id, theirs.id]


def test_an_owner_has_at_most_max_views(db, monkeypatch):
    monkeypatch.setattr(services.views, "MAX_VIEWS", 2)
    people = team()
    _save(people["reporter"], "One")
    _save(people["reporter"], "Two")
    with pytest.raises(InvalidInput, match="You have 2 saved views, the most allowed"):
        _save(people["reporter"], "Three")
    assert _save(people["reporter"], "two", "status=OPEN", replace=True).query == "status=OPEN"
    assert _save(people["other"], "Three").name == "Three"


def test_changes_are_announced_to_whoever_lists_the_view(db, sent):
    people = team()
    sent.clear()
    private = _save(people["maintainer"], "Mine")
    _update(people["maintainer"], private.id, name="Still mine")
    shared = _save(people["admin"], "Ours", shared=True)
    _update(people["admin"], shared.id, shared=False)  # those who listed it must drop it
    with pytest.raises(PermissionDenied):
        _save(people["maintainer"], "Refused", shared=True)
    _delete(people["maintainer"], private.id)
    me, admin = people["maintainer"].id, people["admin"].id
    assert [e for e in sent if e.kind == "view"] == [
        ChangeEvent("view", "created", user_id=me),
        ChangeEvent("view", "updated", user_id=me),
        ChangeEvent("view", "created", user_id=None),
        ChangeEvent("view", "updated", user_id=None),
        ChangeEvent("view", "deleted", user_id=me),
    ]
    _update(people["admin"], shared.id, name="Only mine")
    assert sent[-1] == ChangeEvent("view", "updated", user_id=admin)
