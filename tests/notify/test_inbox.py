"""Who is told what in the app: rules, never your own actions, never about issues you may
not see (checked when created and when shown), preferences, marking read."""

from __future__ import annotations

import pytest

import services
from services import Role
from services.events import ChangeEvent
from tests.factories import make_issue, make_user, team


@pytest.fixture
def people(db):
    return team()


def _inbox(actor):
    with services.session() as s:
        return services.notify.list_notifications(s, actor)


def _count(actor):
    with services.session() as s:
        return services.notify.unread_count(s, actor)


def _prefs(actor, **changes):
    with services.session() as s:
        current = services.notify.get_preferences(s, actor).model_dump()
        return services.notify.update_preferences(s, actor, {**current, **changes})


def _status(actor, issue_id, status):
    with services.session() as s:
        return services.issues.change_status(s, actor, issue_id, status)


def _comment(actor, issue_id, body):
    with services.session() as s:
        return services.comments.add_comment(s, actor, issue_id, {"body": body})


def _assign(actor, issue_id, who):
    with services.session() as s:
        return services.issues.assign(s, actor, issue_id, who)


def test_reporter_hears_of_a_status_change_with_who_and_a_link(people, bells):
    reporter, maintainer = people["reporter"], people["maintainer"]
    issue = make_issue(reporter, title="Printer on fire")
    _status(maintainer, issue.id, "TRIAGED")
    [note] = _inbox(reporter)
    assert note.summary == "changed the status from OPEN to TRIAGED"
    assert note.actor_name == maintainer.full_name
    assert (note.issue_title, note.link, note.read) == (
        "Printer on fire",
        f"/issues/{issue.id}",
        False,
    )
    assert _count(reporter) == 1
    assert bells == [ChangeEvent("notification", "created", user_id=reporter.id)]


def test_own_actions_and_reporter_comments_tell_nobody_else(people):
    reporter, maintainer = people["reporter"], people["maintainer"]
    issue = make_issue(reporter)
    _comment(reporter, issue.id, "More detail from me.")
    assert _inbox(reporter) == []  # my own comment
    _comment(maintainer, issue.id, "Looking.")
    assert [n.summary for n in _inbox(reporter)] == ["commented"]  # a staff comment
    assert _inbox(maintainer) == []  # a reporter's comment on an unassigned issue


def test_assignee_hears_of_assignment_then_of_changes_and_comments(people):
    reporter, maintainer, admin = people["reporter"], people["maintainer"], people["admin"]
    issue = make_issue(reporter)
    _assign(admin, issue.id, maintainer.id)
    _comment(reporter, issue.id, "Any news?")
    with services.session() as s:
        services.issues.update_issue(s, reporter, issue.id, {"title": "Renamed"})
    kinds = [n.kind for n in reversed(_inbox(maintainer))]
    assert kinds == ["assigned", "commented", "edited"]
    assert all(n.actor_name for n in _inbox(maintainer))


def test_mentions_reach_only_people_who_may_see_the_issue(people):
    reporter, other, maintainer, admin = (
        people[k] for k in ("reporter", "other", "maintainer", "admin")
    )
    issue = make_issue(reporter)
    local = admin.email.split("@")[0]
    _comment(maintainer, issue.id, f"@{local} and @{other.email}, have a look.")
    assert [n.kind for n in _inbox(admin)] == ["mention"]
    assert _inbox(other) == []  # another reporter may not see this issue


def test_staff_opt_in_to_new_issues_all_or_high_only(people):
    reporter, maintainer, admin = people["reporter"], people["maintainer"], people["admin"]
    _prefs(maintainer, new_issues="all")
    _prefs(admin, new_issues="high")
    make_issue(reporter, severity="LOW")
    make_issue(reporter, severity="CRITICAL")
    assert len(_inbox(maintainer)) == 2
    assert [n.summary for n in _inbox(admin)] == ["filed a new critical issue"]


def test_reporters_cannot_follow_every_new_issue(people):
    with pytest.raises(services.InvalidInput):
        _prefs(people["reporter"], new_issues="all")


def test_turned_off_kinds_are_not_notified(people):
    reporter, maintainer = people["reporter"], people["maintainer"]
    _prefs(reporter, my_issues=False)
    issue = make_issue(reporter)
    _status(maintainer, issue.id, "TRIAGED")
    assert _inbox(reporter) == []


def test_a_notification_disappears_when_its_issue_is_no_longer_visible(people):
    reporter, maintainer, admin = people["reporter"], people["maintainer"], people["admin"]
    issue = make_issue(reporter)
    _assign(admin, issue.id, maintainer.id)
    assert _count(maintainer) == 1
    with services.session() as s:  # demoted: may no longer see other people's issues
        services.users.update_user(s, admin, maintainer.id, {"role": Role.REPORTER})
    demoted = maintainer.model_copy(update={"role": Role.REPORTER})
    assert _count(demoted) == 0 and _inbox(demoted) == []


def test_mark_one_and_all_read(people):
    reporter, maintainer = people["reporter"], people["maintainer"]
    issue = make_issue(reporter)
    _status(maintainer, issue.id, "TRIAGED")
    _comment(maintainer, issue.id, "On it.")
    first = _inbox(reporter)[-1]
    with services.session() as s:
        services.notify.mark_read(s, reporter, first.id)
    assert _count(reporter) == 1
    with services.session() as s, pytest.raises(services.NotFound):
        services.notify.mark_read(s, maintainer, first.id)  # not theirs
    with services.session() as s:
        assert services.notify.mark_all_read(s, reporter) == 1
    assert _count(reporter) == 0 and all(n.read for n in _inbox(reporter))


def test_nothing_is_notified_for_a_write_that_fails(people, bells):
    reporter, maintainer = people["reporter"], people["maintainer"]
    issue = make_issue(reporter)
    with services.session() as s, pytest.raises(services.Conflict):
        services.issues.change_status(s, maintainer, issue.id, "TRIAGED", version=99)
    assert _inbox(reporter) == []
    assert bells == []


def test_inactive_users_are_not_notified(people):
    reporter, maintainer, admin = people["reporter"], people["maintainer"], people["admin"]
    issue = make_issue(reporter)
    with services.session() as s:
        services.users.update_user(s, admin, reporter.id, {"is_active": False})
    _status(maintainer, issue.id, "TRIAGED")
    with services.session() as s:
        services.users.update_user(s, admin, reporter.id, {"is_active": True})
    assert _inbox(reporter) == []


def test_a_new_user_has_the_defaults(db):
    me = make_user()
    with services.session() as s:
        prefs = services.notify.get_preferences(s, me)
    assert (prefs.my_issues, prefs.assigned, prefs.mentions, prefs.new_issues, prefs.email) == (
        True,
        True,
        True,
        "none",
        "immediate",
    )


def test_a_later_verb_plugs_in_marked_duplicate_tells_the_reporter(people):
    """What services.duplicates records (an `edited` row of field duplicate_of) reaches the
    reporter through the rule registered for it."""
    from services.activity import record
    from services.enums import Verb
    from services.models import Issue

    reporter, maintainer = people["reporter"], people["maintainer"]
    original, copy = make_issue(reporter), make_issue(reporter)
    with services.session() as s:
        services.db.begin_write(s)
        record(
            s,
            s.get(Issue, copy.id),
            maintainer.id,
            Verb.EDITED,
            "duplicate_of",
            None,
            str(original.id),
        )
        s.commit()
    [note] = _inbox(reporter)
    assert (note.kind, note.summary) == (
        "duplicate",
        f"marked the issue a duplicate of #{original.id}",
    )


def test_a_merge_tells_the_duplicates_reporter_once(people):
    """Marking a duplicate closes it (status DONE) and links it in one write: its reporter
    gets one notice, the link, not also "changed the status to DONE"."""
    reporter, maintainer = people["reporter"], people["maintainer"]
    original, copy = make_issue(people["other"]), make_issue(reporter)
    with services.session() as s:
        services.duplicates.mark_duplicate(s, maintainer, copy.id, original.id)
    [note] = _inbox(reporter)
    assert (note.kind, note.summary, note.issue_id) == (
        "duplicate",
        f"marked the issue a duplicate of #{original.id}",
        copy.id,
    )
    _status(maintainer, copy.id, "OPEN")  # reopened: a separate change, its own notice
    assert len(_inbox(reporter)) == 2
