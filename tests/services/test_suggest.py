"""Similar issues for people: the model or the lexical fallback, under the visibility rules
(a reporter never learns anything about someone else's issue but "a similar report exists")."""

from __future__ import annotations

from sqlalchemy import select

import services
from services.intake import pipeline
from services.intake.models import Analysis
from services.suggest import vectors
from tests.factories import make_issue, team

TRACE = """Traceback (most recent call last):
  File "/srv/shop/checkout/cart.py", line {line}, in total
    return sum(prices[item_id] for item_id in self.items)
KeyError: '{item}'
"""


def _draft(actor, title, description=""):
    with services.session() as s:
        return services.suggest.similar_to_draft(s, actor, title, description)


def _dupes(actor, issue_id):
    with services.session() as s:
        return services.suggest.possible_duplicates(s, actor, issue_id)


def _corpus(reporter):
    titles = [
        "Exporting the issue list to CSV times out",
        "Dark mode makes the sidebar unreadable",
        "Password reset email never arrives",
        "Dashboard chart shows the wrong week",
        "Cannot upload a PNG screenshot larger than 2 MB",
    ]
    return {t: make_issue(reporter, title=t, description="") for t in titles}


def test_without_a_model_the_lexical_fallback_answers_and_says_so(db):
    people = team()
    issues = _corpus(people["reporter"])
    found = _draft(people["maintainer"], "CSV export of the issue list times out")
    assert found.mode == "lexical" and found.note and "model" in found.note
    assert found.items[0].id == issues["Exporting the issue list to CSV times out"].id


def test_the_model_finds_a_paraphrase_and_calls_it_a_likely_duplicate(with_model):
    people = team()
    issues = _corpus(people["reporter"])
    assert vectors.embed_issues() == len(issues)
    assert vectors.embed_issues() == 0  # nothing changed: nothing recomputed
    found = _draft(people["maintainer"], "The password reset mail does not come")
    assert found.mode == "model"
    best = found.items[0]
    assert best.id == issues["Password reset email never arrives"].id and best.likely_duplicate
    assert all(not i.likely_duplicate for i in found.items[1:])


def test_a_reporter_sees_their_own_matches_and_only_a_hint_of_anyone_elses(with_model):
    people = team()
    theirs = make_issue(people["other"], title="Password reset email never arrives", description="")
    mine = make_issue(
        people["reporter"], title="Dark mode makes the sidebar unreadable", description=""
    )
    vectors.embed_issues()
    found = _draft(people["reporter"], "The password reset mail does not come")
    assert theirs.id not in [i.id for i in found.items]
    assert found.hidden_match
    own = _draft(people["reporter"], "Sidebar cannot be read in dark mode")
    assert [i.id for i in own.items][:1] == [mine.id] and not own.hidden_match
    staff = _draft(people["maintainer"], "The password reset mail does not come")
    assert staff.items[0].id == theirs.id and not staff.hidden_match


def test_an_edited_title_is_embedded_again_and_found_by_its_new_words(with_model):
    people = team()
    issue = make_issue(people["reporter"], title="Something is off", description="")
    vectors.embed_issues()
    with services.session() as s:
        services.issues.update_issue(
            s, people["maintainer"], issue.id, {"title": "Invoices PDF download is blank"}
        )
    assert vectors.embed_issues([issue.id]) == 1
    found = _draft(people["maintainer"], "Downloaded invoice PDF is empty")
    assert found.items and found.items[0].id == issue.id


def test_writes_hand_the_issue_to_the_embedding_job(with_model, monkeypatch):
    people = team()
    monkeypatch.setattr(vectors, "enabled", True)
    issue = make_issue(
        people["reporter"], title="Password reset email never arrives", description=""
    )
    vectors.wait_idle()
    found = _draft(people["maintainer"], "The password reset mail does not come")
    assert [i.id for i in found.items][:1] == [issue.id]


def test_issues_with_the_same_crash_are_always_offered(db):
    people = team()
    crashed = make_issue(
        people["reporter"], title="Checkout broken", description=TRACE.format(line=41, item="a")
    )
    make_issue(people["reporter"], title="Something unrelated about fonts")
    with services.session() as s:
        for analysis_id in list(s.scalars(select(Analysis.id))):
            pipeline.run_analysis(analysis_id)
    # a draft with the same crash (another line, another key), in entirely other words
    found = _draft(people["maintainer"], "Basket page goes white", TRACE.format(line=57, item="b"))
    [match] = [i for i in found.items if i.id == crashed.id]
    assert "same crash signature" in match.reasons
    other = make_issue(
        people["other"], title="Paying fails", description=TRACE.format(line=9, item="c")
    )
    with services.session() as s:
        for analysis_id in list(
            s.scalars(select(Analysis.id).where(Analysis.issue_id == other.id))
        ):
            pipeline.run_analysis(analysis_id)
    assert crashed.id in [i.id for i in _dupes(people["maintainer"], other.id).items]


def test_duplicates_are_not_offered_their_original_is(db):
    people = team()
    original = make_issue(people["reporter"], title="Exporting the issue list to CSV times out")
    dup = make_issue(people["other"], title="Exporting the issue list to CSV times out again")
    with services.session() as s:
        services.duplicates.mark_duplicate(s, people["maintainer"], dup.id, original.id)
    found = _draft(people["maintainer"], "CSV export of the issue list times out")
    ids = [i.id for i in found.items]
    assert original.id in ids and dup.id not in ids


def test_a_deleted_issue_is_never_suggested(db):
    people = team()
    doomed = make_issue(people["reporter"], title="Exporting the issue list to CSV times out")
    assert _draft(people["maintainer"], "CSV export times out").items
    with services.session() as s:
        services.issues.delete_issue(s, people["admin"], doomed.id)
    assert _draft(people["maintainer"], "CSV export times out").items == []


def test_possible_duplicates_of_an_issue_leave_the_issue_itself_out(db):
    people = team()
    a = make_issue(people["reporter"], title="Exporting the issue list to CSV times out")
    b = make_issue(people["other"], title="CSV export of the issue list times out")
    ids = [i.id for i in _dupes(people["maintainer"], a.id).items]
    assert ids[:1] == [b.id] and a.id not in ids


def test_each_look_reads_only_what_is_new(with_model):
    """Vectors written in one burst share a timestamp; the index must still take each one
    once, and a look with nothing new adds nothing."""
    from services.suggest import state

    people = team()
    issues = _corpus(people["reporter"])
    vectors.embed_issues()
    with services.session() as s:
        idx = state.index(s)
        assert idx.applied == len(issues)
        state.index(s)
        state.index(s)
        assert idx.applied == len(issues)
    late = make_issue(people["other"], title="Search box loses focus", description="")
    vectors.embed_issues([late.id])
    with services.session() as s:
        assert state.index(s).applied == len(issues) + 1
        assert state.index(s).own(people["other"].id) == {late.id}


def test_possible_duplicates_follow_every_change_to_what_they_show(db):
    """Staff's answers are kept per issue between views; any change shows on the next look."""
    from services import events
    from services.models import Issue

    people = team()
    staff = people["maintainer"]
    a = make_issue(people["reporter"], title="Exporting the issue list to CSV times out")
    b = make_issue(people["other"], title="CSV export of the issue list times out")

    def best() -> tuple[int, str]:
        item = _dupes(staff, a.id).items[0]
        return item.id, item.status.value

    first = _dupes(staff, a.id)
    assert best() == (b.id, "OPEN")
    assert _dupes(staff, a.id) == first  # nothing changed: the same answer

    with services.session() as s:  # the candidate's status
        services.issues.change_status(s, staff, b.id, "TRIAGED")
    assert best() == (b.id, "TRIAGED")

    # Another process's change reaches this one as an event (through Redis or the database).
    with services.session() as s:
        s.execute(Issue.__table__.update().where(Issue.id == b.id).values(status="IN_PROGRESS"))
        s.commit()
    events.deliver(events.ChangeEvent("issue", "updated", b.id, people["other"].id))
    assert best() == (b.id, "IN_PROGRESS")

    c = make_issue(people["other"], title="Exporting the issue list to CSV times out for me")
    assert c.id in [i.id for i in _dupes(staff, a.id).items]  # a new issue
    with services.session() as s:  # a deleted one
        services.issues.delete_issue(s, people["admin"], c.id)
    assert c.id not in [i.id for i in _dupes(staff, a.id).items]

    with services.session() as s:  # the issue's own words
        services.issues.update_issue(s, staff, a.id, {"title": "Dark mode sidebar unreadable"})
    assert b.id not in [i.id for i in _dupes(staff, a.id).items]


def test_a_reporters_possible_duplicates_are_never_an_answer_kept_for_staff(db):
    people = team()
    a = make_issue(people["reporter"], title="Exporting the issue list to CSV times out")
    theirs = make_issue(people["other"], title="CSV export of the issue list times out")
    assert theirs.id in [i.id for i in _dupes(people["maintainer"], a.id).items]
    as_reporter = _dupes(people["reporter"], a.id)
    assert theirs.id not in [i.id for i in as_reporter.items] and as_reporter.hidden_match
