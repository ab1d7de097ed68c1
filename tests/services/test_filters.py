"""One filter schema for the list, the CSV export, the API and the list page: the export
honours every filter the list does."""

from __future__ import annotations

import csv
import io

import pytest

import services
from services import InvalidInput, IssueFilter, IssueQuery
from services.intake.models import Analysis, CrashSignature
from tests.factories import make_issue, make_user


@pytest.fixture
def world(db):
    admin = make_user("ADMIN", full_name="Ana Admin")
    rita = make_user(full_name="Rita Reporter")
    raj = make_user(full_name="Raj Other")
    maintainer = make_user("MAINTAINER")
    checkout = make_issue(rita, title="Checkout crashes", severity="CRITICAL")
    make_issue(rita, title="Typo in footer", severity="LOW", description="checkout page")
    tagged = make_issue(admin, title="Slow search", severity="HIGH", tags=["perf"])
    raj_issue = make_issue(raj, title="Cannot log in", severity="HIGH")
    with services.session() as s:
        services.issues.change_status(s, admin, raj_issue.id, "TRIAGED")
        services.issues.assign(s, admin, tagged.id, maintainer.id)
        services.issues.assign(s, admin, raj_issue.id, admin.id)
        crash = Analysis(issue_id=raj_issue.id, source="comment", source_id=900_001)
        s.add(crash)
        s.flush()
        s.add(CrashSignature(analysis_id=crash.id, issue_id=raj_issue.id, fingerprint="f00d"))
        s.add(
            Analysis(
                issue_id=tagged.id,
                source="attachment",
                source_id=900_002,
                text="log: ERR_CONNECTION_REFUSED",
            )
        )
        s.commit()
    again = make_issue(raj, title="Checkout crashes again", severity="CRITICAL")
    with services.session() as s:  # it now affects two reporters
        services.duplicates.mark_duplicate(s, admin, again.id, checkout.id)
    return {"admin": admin, "rita": rita, "raj": raj, "maintainer": maintainer}


def _listed(actor, **criteria) -> list[int]:
    with services.session() as s:
        page = services.issues.list_issues(s, actor, page_size=100, **criteria)
    return sorted(i.id for i in page.items)


def _exported(actor, **criteria) -> list[int]:
    with services.session() as s:
        text = "".join(services.csvio.write_csv(services.csvio.export_rows(s, actor, **criteria)))
    return sorted(int(row["id"]) for row in csv.DictReader(io.StringIO(text)))


def _examples(world) -> dict[str, list[dict]]:
    """Per filter field, criteria that narrow the list (each must keep some, drop some)."""
    return {
        "status": [{"status": "TRIAGED"}, {"status": "TRIAGED,DONE"}],
        "severity": [{"severity": ["HIGH"]}, {"severity": "LOW,CRITICAL"}],
        "tag": [{"tag": "PERF"}],
        "reporter_id": [{"reporter_id": world["rita"].id}],
        "reporter": [{"reporter": "rita"}, {"reporter": world["raj"].email.upper()}],
        "assignee_id": [{"assignee_id": world["maintainer"].id}],
        "assignee": [{"assignee": "me"}],  # the admin listing: raj's issue is theirs
        "unassigned": [{"unassigned": True}],
        "q": [{"q": "checkout"}, {"q": "connection_refused"}],  # the second: a file's text
        "signature": [{"signature": "f00d"}],
        "affected_min": [{"affected_min": 2}],
    }


def test_the_export_honours_every_filter_the_list_does(world):
    examples = _examples(world)
    assert set(examples) == set(IssueFilter.model_fields)  # a new filter needs an example here
    everything = _listed(world["admin"])
    for field, cases in examples.items():
        for criteria in cases:
            listed = _listed(world["admin"], **criteria)
            assert 0 < len(listed) < len(everything), (field, criteria)
            assert _exported(world["admin"], **criteria) == listed, (field, criteria)


def test_a_reporter_exports_only_their_own_whatever_the_filter(world):
    rita = world["rita"]
    own = _listed(rita)
    assert own and _exported(rita) == own
    assert _exported(rita, reporter_id=world["raj"].id) == [] == _listed(rita, reporter="raj")


def test_filters_can_be_given_as_a_schema_a_mapping_or_keywords(world):
    admin = world["admin"]
    as_keywords = _listed(admin, status="OPEN", sort="title")
    with services.session() as s:
        as_schema = services.issues.list_issues(s, admin, IssueQuery(status=["OPEN"]))
        as_mapping = services.issues.list_issues(s, admin, {"status": "OPEN"})
        exported = list(services.csvio.export_rows(s, admin, IssueFilter(status=["OPEN"])))
    assert sorted(i.id for i in as_schema.items) == sorted(i.id for i in as_mapping.items)
    assert sorted(i.id for i in as_schema.items) == as_keywords
    assert sorted(int(r[0]) for r in exported[1:]) == as_keywords


@pytest.mark.parametrize(
    "criteria, named",
    [
        ({"status": "WONTFIX"}, "WONTFIX"),
        ({"severity": "LOW,HUGE"}, "HUGE"),
        ({"q": "x" * 201}, "q"),
        ({"reporter_id": 2**40}, "reporter_id"),
        ({"sevrity": "LOW"}, "sevrity"),  # a misspelt filter is refused, never ignored
    ],
)
def test_a_bad_filter_is_refused_by_the_export_as_by_the_list(world, criteria, named):
    for call in (services.issues.list_issues, services.csvio.export_rows):
        with services.session() as s, pytest.raises(InvalidInput) as err:
            call(s, world["admin"], **criteria)
        assert named in str(err.value)


def test_a_sort_is_for_lists_an_export_refuses_it(world):
    with services.session() as s, pytest.raises(InvalidInput) as err:
        services.csvio.export_rows(s, world["admin"], sort="title")
    assert "sort" in str(err.value)
