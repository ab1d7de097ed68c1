"""Listing issues: filters, text search, sort, pagination with totals."""

from __future__ import annotations

import pytest

import services
from services import InvalidInput
from tests.factories import make_issue, make_user


@pytest.fixture
def data(db):
    staff = make_user("MAINTAINER")
    reporter = make_user()
    issues = [
        make_issue(reporter, title="Login button broken", severity="HIGH"),
        make_issue(reporter, title="Invoice total 100% wrong", severity="CRITICAL"),
        make_issue(
            staff, title="Slow search", description="takes 10_000 ms", severity="LOW", tags=["perf"]
        ),
        make_issue(staff, title="Typo on page", severity="LOW", tags=["docs", "ui"]),
    ]
    with services.session() as s:
        services.issues.change_status(s, staff, issues[0].id, "TRIAGED")
    return staff, reporter, issues


def _titles(staff, **kw):
    with services.session() as s:
        page = services.issues.list_issues(s, staff, **kw)
    return [i.title for i in page.items], page.total


def test_filters_combine(data):
    staff, reporter, _ = data
    assert _titles(staff, status="TRIAGED")[0] == ["Login button broken"]
    assert sorted(_titles(staff, severity=["LOW", "CRITICAL"])[0]) == [
        "Invoice total 100% wrong",
        "Slow search",
        "Typo on page",
    ]
    assert _titles(staff, tag="UI")[0] == ["Typo on page"]
    assert _titles(staff, reporter_id=reporter.id, severity="HIGH")[0] == ["Login button broken"]
    assert _titles(staff, q="invoice")[0] == ["Invoice total 100% wrong"]
    assert _titles(staff, q="10_000")[0] == ["Slow search"]  # found in the description


def test_staff_filter_by_part_of_the_reporters_name_or_email(data):
    staff, reporter, _ = data
    with services.session() as s:
        services.users.update_user(
            s, make_user("ADMIN"), reporter.id, {"full_name": "Rita Reporter"}
        )
    assert sorted(_titles(staff, reporter="rita")[0]) == [
        "Invoice total 100% wrong",
        "Login button broken",
    ]
    assert _titles(staff, reporter=reporter.email.upper())[1] == 2  # case does not matter
    assert _titles(staff, reporter="nobody-like-this")[1] == 0


def test_like_wildcards_in_search_are_literal(data):
    staff, _, _ = data
    assert _titles(staff, q="100%")[0] == ["Invoice total 100% wrong"]
    assert _titles(staff, q="%")[1] == 1
    assert _titles(staff, q="_")[1] == 1
    assert _titles(staff, q="' OR 1=1 --")[1] == 0


def test_sorting(data):
    staff, _, _ = data
    by_severity = _titles(staff, sort="-severity")[0]
    assert by_severity[:2] == ["Invoice total 100% wrong", "Login button broken"]
    assert _titles(staff, sort="title")[0] == sorted(by_severity, key=str.lower)
    assert _titles(staff, sort="-updated")[0][0] == "Login button broken"  # touched last
    assert _titles(staff, sort="created")[0][0] == "Login button broken"
    assert _titles(staff, sort="status")[0][-1] == "Login button broken"


@pytest.mark.parametrize(
    "bad, named",
    [
        ({"sort": "password"}, "password"),
        ({"sort": "title; DROP TABLE issues"}, "DROP TABLE"),
        ({"status": "WONTFIX"}, "WONTFIX"),
        ({"severity": ["LOW", "HUGE"]}, "HUGE"),
    ],
)
def test_bad_list_options_are_named(data, bad, named):
    staff, _, _ = data
    with services.session() as s, pytest.raises(InvalidInput) as err:
        services.issues.list_issues(s, staff, **bad)
    assert named in str(err.value)
    assert _titles(staff)[1] == 4


def test_pagination_reports_the_total_and_caps_the_page(data):
    staff, _, _ = data
    with services.session() as s:
        first = services.issues.list_issues(s, staff, sort="id", page=1, page_size=3)
        second = services.issues.list_issues(s, staff, sort="id", page=2, page_size=3)
        huge = services.issues.list_issues(s, staff, page_size=10_000)
        beyond = services.issues.list_issues(s, staff, page=99)
    assert (first.total, len(first.items), len(second.items)) == (4, 3, 1)
    assert {i.id for i in first.items}.isdisjoint({i.id for i in second.items})
    assert huge.page_size == 100 and beyond.items == [] and beyond.total == 4


def test_assigned_to_me_reported_by_me_and_unassigned(db):
    from tests.factories import make_issue, make_user

    staff, other_staff = make_user("MAINTAINER"), make_user("MAINTAINER")
    reporter = make_user()
    mine = make_issue(reporter, title="Mine")
    theirs = make_issue(reporter, title="Theirs")
    make_issue(reporter, title="Nobody's")
    filed = make_issue(staff, title="Filed by staff")
    with services.session() as s:
        services.issues.assign(s, staff, mine.id, staff.id)
        services.issues.assign(s, staff, theirs.id, other_staff.id)

    def titles(**criteria):
        with services.session() as s:
            return sorted(i.title for i in services.issues.list_issues(s, staff, **criteria).items)

    assert titles(assignee="me") == ["Mine"]
    assert titles(assignee_id=other_staff.id) == ["Theirs"]
    assert titles(unassigned=True) == ["Filed by staff", "Nobody's"]
    assert titles(reporter_id=staff.id) == [filed.title]
    with services.session() as s:  # the export follows the same filters
        rows = list(services.csvio.export_rows(s, staff, assignee="me"))
    assert [r[1] for r in rows[1:]] == ["Mine"]
