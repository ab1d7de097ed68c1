"""Full-text search (`q`): every term anywhere in an issue's texts, the same answers on
SQLite (FTS5 trigram) and PostgreSQL (pg_trgm), ranked by relevance, kept in step with
every change, and a capped total."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import services
from services import queries
from services.intake.models import Analysis
from services.models import IssueText
from tests.factories import make_issue, make_user, team


def _found(actor, q, **kw) -> list[str]:
    with services.session() as s:
        page = services.issues.list_issues(s, actor, q=q, page_size=100, **kw)
    return [i.title for i in page.items]


@pytest.fixture
def people(db):
    return team()


def test_every_term_anywhere_in_title_description_or_comments(people):
    maintainer, reporter = people["maintainer"], people["reporter"]
    make_issue(reporter, title="Checkout crashes", description="After paying by card")
    commented = make_issue(reporter, title="Slow page", description="Takes ten seconds")
    make_issue(reporter, title="Crash on login", description="Only in Firefox")
    with services.session() as s:
        services.comments.add_comment(s, maintainer, commented.id, {"body": "Seen at checkout"})

    assert _found(maintainer, "checkout") == ["Checkout crashes", "Slow page"]  # title first
    assert _found(maintainer, "card crashes") == ["Checkout crashes"]  # any order, any field
    assert _found(maintainer, "seconds checkout") == ["Slow page"]  # description + comment
    assert _found(maintainer, "checkout firefox") == []  # every term must be there
    assert _found(maintainer, "CRASH") == ["Crash on login", "Checkout crashes"]  # newest first


def test_case_and_accents_fold_the_same_on_both_databases(people):
    maintainer = people["maintainer"]
    make_issue(maintainer, title="Über-Fehler im Straßenmodus", description="ÉCRAN noir")
    assert _found(maintainer, "über") == ["Über-Fehler im Straßenmodus"]
    assert _found(maintainer, "STRASSE") == []  # no transliteration, on either database
    assert _found(maintainer, "écran") == ["Über-Fehler im Straßenmodus"]


def test_parts_of_words_short_terms_phrases_and_literal_wildcards(people):
    maintainer = people["maintainer"]
    make_issue(maintainer, title="Login page is blank", description="UI freezes at 100%")
    make_issue(maintainer, title="Page login fails", description="user_id is null")
    assert _found(maintainer, "ogi") == ["Page login fails", "Login page is blank"]
    assert _found(maintainer, '"login page"') == ["Login page is blank"]
    assert _found(maintainer, "ui login") == ["Login page is blank"]  # a short term narrows
    assert _found(maintainer, "ui") == ["Login page is blank"]  # short terms alone: a scan
    assert _found(maintainer, "0%") == ["Login page is blank"]
    assert _found(maintainer, "r_id") == ["Page login fails"]
    assert _found(maintainer, "r%id") == []
    assert _found(maintainer, '"') == []


def test_text_read_from_files_is_found(people):
    maintainer, reporter = people["maintainer"], people["reporter"]
    issue = make_issue(reporter, title="Invoice wrong")
    with services.session() as s:
        s.add(
            Analysis(
                issue_id=issue.id, source="attachment", source_id=1, text="Total due: 4,711 EUR"
            )
        )
        s.commit()
    assert _found(maintainer, "4,711") == ["Invoice wrong"]


def test_the_index_follows_edits_comments_and_deletions(people):
    maintainer = people["maintainer"]
    issue = make_issue(maintainer, title="Printer jams", description="")
    with services.session() as s:
        services.issues.update_issue(s, maintainer, issue.id, {"title": "Scanner jams"})
    assert _found(maintainer, "printer") == []
    assert _found(maintainer, "scanner") == ["Scanner jams"]
    with services.session() as s:
        services.comments.add_comment(s, maintainer, issue.id, {"body": "toner low"})
    assert _found(maintainer, "toner") == ["Scanner jams"]
    with services.session() as s:
        services.issues.delete_issue(s, people["admin"], issue.id)
    assert _found(maintainer, "scanner") == []
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(IssueText)) == 0


def test_a_new_issues_row_is_what_a_rebuild_makes(people):
    """A new issue's searchable row is written from the issue itself; one that got a comment
    or was deleted in the same transaction is read back instead. Either way a rebuild from
    every source changes nothing."""
    maintainer = people["maintainer"]
    make_issue(maintainer, title="Plain NEW issue", description="Ünïcode *text*")
    with services.session() as s:
        user = s.get(services.models.User, maintainer.id)
        new = services.schemas.IssueCreate(title="With a comment", description="first")
        issue = services.issues.insert_issue(s, user, new, "<p>first</p>")
        services.comments.insert_comment(s, user, issue, "said at once", "<p>said at once</p>")
        gone = services.issues.insert_issue(s, user, new.model_copy(), "")
        s.flush()
        s.delete(gone)
        s.commit()

    def rows() -> list[tuple[int, str, str]]:
        with services.session() as s:
            found = s.execute(select(IssueText.issue_id, IssueText.title, IssueText.body))
            return sorted(tuple(r) for r in found)

    written = rows()
    assert [title for _, title, _ in written] == ["plain new issue", "with a comment"]
    assert "said at once" in written[1][2]
    with services.session() as s:
        services.fulltext.rebuild(s)
        s.commit()
    assert rows() == written
    assert _found(maintainer, "ünïcode") == ["Plain NEW issue"]


def test_reporters_find_only_their_own(people):
    reporter, other = people["reporter"], people["other"]
    make_issue(reporter, title="Mine: crash")
    make_issue(other, title="Theirs: crash")
    assert _found(reporter, "crash") == ["Mine: crash"]


def test_relevance_number_then_title_then_the_rest_newest_first(people):
    maintainer = make_user("MAINTAINER")
    old_title = make_issue(maintainer, title="Export hangs", description="")
    body_only = make_issue(maintainer, title="Spinner forever", description="the export")
    new_title = make_issue(maintainer, title="Export to CSV hangs", description="")
    numbered = make_issue(maintainer, title=f"Mentions {old_title.id}", description="")
    assert _found(maintainer, "export") == [new_title.title, old_title.title, body_only.title]
    found = _found(maintainer, str(old_title.id))  # the number, and a title with it
    assert found[0] == old_title.title and numbered.title in found
    assert _found(maintainer, f"#{old_title.id}") == [old_title.title]
    # An explicit order wins over relevance.
    assert _found(maintainer, "export", sort="title") == [
        old_title.title,
        new_title.title,
        body_only.title,
    ]
    # Pages of a ranked list continue each other, across the tiers.
    with services.session() as s:
        pages = [
            services.issues.list_issues(s, maintainer, q="export", page=p, page_size=1)
            for p in (1, 2, 3, 4)
        ]
    assert [[i.title for i in p.items] for p in pages] == [
        [new_title.title],
        [old_title.title],
        [body_only.title],
        [],
    ]
    assert {p.total for p in pages} == {3}


def test_a_total_beyond_the_cap_says_so(people, monkeypatch):
    maintainer = people["maintainer"]
    for n in range(7):
        make_issue(maintainer, title=f"Crash {n}")
    monkeypatch.setattr(queries, "SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(queries, "COUNT_CAP", 4)

    def listed(**kw):
        with services.session() as s:
            return services.issues.list_issues(s, maintainer, **kw)

    whole = listed(q="crash")  # one page holds them all: no count needed, exact
    assert (whole.total, whole.total_capped, len(whole.items)) == (7, False, 7)
    first = listed(q="crash", page_size=1)  # counted to 3 (at least the next page)
    assert (first.total, first.total_capped, len(first.items)) == (3, True, 1)
    deep = listed(q="crash", page=3, page_size=2)  # past the cap: still past the next page
    assert (deep.total, deep.total_capped, len(deep.items)) == (7, False, 2)
    last = listed(q="crash", page=4, page_size=2)  # the end of the list is on this page
    assert (last.total, last.total_capped, len(last.items)) == (7, False, 1)
    plain = listed(page_size=2, unassigned=True)  # without a search the other cap
    assert (plain.total, plain.total_capped) == (4, True)
    # Filtered by status, severity or reporter alone: the kept counts, exact (stats.matching)
    assert (listed(page_size=2).total, listed(page_size=2).total_capped) == (7, False)
    assert listed(q="crash", page=9, page_size=2).total == 7  # past the end: counted


def test_the_default_order_is_relevance_only_while_searching():
    assert services.IssueQuery(q="x").order == "relevance"
    assert services.IssueQuery().order == "-updated"
    assert services.IssueQuery(sort="relevance").order == "-updated"
    assert services.IssueQuery(q="x", sort="-created").order == "-created"
    assert services.filters.url_of(services.IssueQuery(q="x")) == "q=x"
    assert services.filters.url_of(services.IssueQuery(q="x", sort="-updated")) == (
        "q=x&sort=-updated"
    )


def test_terms():
    terms = services.fulltext.terms
    assert terms('  Crash "Login  Page" crash ') == ["crash", "login page"]
    assert terms('""') == []
    assert len(terms(" ".join(f"w{i}" for i in range(30)))) == services.fulltext.MAX_TERMS
