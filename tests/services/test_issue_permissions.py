"""The permission table of the core issue, for every role: allowed and refused."""

from __future__ import annotations

import pytest

import services
from services import NotFound, PermissionDenied, Status
from tests.factories import make_issue, team

ROLES = ["reporter", "other", "maintainer", "admin"]


@pytest.fixture
def people(db):
    return team()


def _as(actor, call, *args, **kw):
    with services.session() as s:
        return call(s, actor, *args, **kw)


def _triaged(people, issue):
    return _as(people["maintainer"], services.issues.change_status, issue.id, "TRIAGED")


@pytest.mark.parametrize("role", ROLES)
def test_everyone_can_file_an_issue_and_is_its_reporter(people, role):
    issue = make_issue(people[role], title="Printer on fire")
    assert issue.reporter.id == people[role].id
    assert issue.status == Status.OPEN


@pytest.mark.parametrize(
    "role, sees", [("reporter", True), ("other", False), ("maintainer", True), ("admin", True)]
)
def test_seeing_an_issue(people, role, sees):
    issue = make_issue(people["reporter"])
    if sees:
        assert _as(people[role], services.issues.get_issue, issue.id).id == issue.id
    else:
        with pytest.raises(NotFound) as err:
            _as(people[role], services.issues.get_issue, issue.id)
        with pytest.raises(NotFound) as missing:
            _as(people[role], services.issues.get_issue, 999_999)
        assert str(err.value) == str(missing.value)  # "not yours" looks exactly like "missing"


@pytest.mark.parametrize(
    "role, outcome",
    [("reporter", "ok"), ("other", NotFound), ("maintainer", "ok"), ("admin", "ok")],
)
def test_editing_an_open_issue(people, role, outcome):
    issue = make_issue(people["reporter"])
    change = {"title": "Clearer title", "severity": "HIGH"}
    if outcome == "ok":
        view = _as(people[role], services.issues.update_issue, issue.id, change)
        assert (view.title, view.severity, view.version) == ("Clearer title", "HIGH", 2)
    else:
        with pytest.raises(outcome):
            _as(people[role], services.issues.update_issue, issue.id, change)


@pytest.mark.parametrize(
    "role, outcome",
    [("reporter", PermissionDenied), ("other", NotFound), ("maintainer", "ok"), ("admin", "ok")],
)
def test_editing_a_triaged_issue(people, role, outcome):
    issue = _triaged(people, make_issue(people["reporter"]))
    if outcome == "ok":
        view = _as(people[role], services.issues.update_issue, issue.id, {"description": "More"})
        assert view.description == "More"
    else:
        with pytest.raises(outcome):
            _as(people[role], services.issues.update_issue, issue.id, {"description": "More"})
        assert _as(people["admin"], services.issues.get_issue, issue.id).description != "More"


STAFF_ONLY = {
    "status": lambda s, a, i: services.issues.change_status(s, a, i, "TRIAGED"),
    "tags": lambda s, a, i: services.issues.set_tags(s, a, i, ["ui"]),
    "assign": lambda s, a, i: services.issues.assign(s, a, i, None),
}


@pytest.mark.parametrize("action", sorted(STAFF_ONLY))
@pytest.mark.parametrize(
    "role, outcome",
    [("reporter", PermissionDenied), ("other", NotFound), ("maintainer", "ok"), ("admin", "ok")],
)
def test_status_tags_and_assignment_are_for_staff(people, action, role, outcome):
    issue = make_issue(people["reporter"])
    with services.session() as s:
        if outcome == "ok":
            assert STAFF_ONLY[action](s, people[role], issue.id).id == issue.id
        else:
            with pytest.raises(outcome):
                STAFF_ONLY[action](s, people[role], issue.id)


@pytest.mark.parametrize(
    "role, outcome",
    [
        ("reporter", PermissionDenied),
        ("other", NotFound),
        ("maintainer", PermissionDenied),
        ("admin", "ok"),
    ],
)
def test_only_admins_delete(people, role, outcome):
    issue = make_issue(people["reporter"])
    if outcome == "ok":
        _as(people[role], services.issues.delete_issue, issue.id)
        with pytest.raises(NotFound):
            _as(people["admin"], services.issues.get_issue, issue.id)
    else:
        with pytest.raises(outcome):
            _as(people[role], services.issues.delete_issue, issue.id)
        assert _as(people["admin"], services.issues.get_issue, issue.id).id == issue.id


def test_reporters_cannot_tag_their_new_issue(people):
    with pytest.raises(PermissionDenied):
        make_issue(people["reporter"], tags=["urgent"])
    assert _as(people["admin"], services.issues.list_issues).total == 0
    tagged = make_issue(people["maintainer"], tags=["UI", "backend", "ui"])
    assert tagged.tags == ["backend", "ui"]


@pytest.mark.parametrize(
    "role, total", [("reporter", 2), ("other", 1), ("maintainer", 3), ("admin", 3)]
)
def test_lists_and_counts_show_only_what_the_role_may_see(people, role, total):
    make_issue(people["reporter"], severity="HIGH")
    make_issue(people["reporter"], severity="LOW")
    make_issue(people["other"], severity="HIGH")
    page = _as(people[role], services.issues.list_issues)
    assert page.total == total == len(page.items)
    if role in ("reporter", "other"):
        assert {i.reporter.id for i in page.items} == {people[role].id}
    counts = _as(people[role], services.stats.open_by_severity)
    assert sum(counts.values()) == total
    assert set(counts) == {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    assert sum(_as(people[role], services.stats.counts_by_status).values()) == total


def test_a_reporter_filtering_by_someone_else_gets_nothing(people):
    make_issue(people["other"])
    page = _as(people["reporter"], services.issues.list_issues, reporter_id=people["other"].id)
    assert page.total == 0 and page.items == []


def test_a_deactivated_user_can_do_nothing_with_an_old_actor(people):
    issue = make_issue(people["maintainer"])
    _as(people["admin"], services.users.update_user, people["maintainer"].id, {"is_active": False})
    with pytest.raises(services.AuthenticationFailed):
        _as(people["maintainer"], services.issues.get_issue, issue.id)
    with pytest.raises(services.AuthenticationFailed):
        make_issue(people["maintainer"])


def test_a_demoted_maintainer_loses_triage_at_once(people):
    issue = make_issue(people["reporter"])
    _as(people["admin"], services.users.update_user, people["maintainer"].id, {"role": "REPORTER"})
    # The stale Actor still says MAINTAINER; the service reads the current role.
    with pytest.raises(NotFound):
        _as(people["maintainer"], services.issues.change_status, issue.id, "TRIAGED")
