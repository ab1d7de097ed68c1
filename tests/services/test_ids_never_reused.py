"""No id of a deleted row is handed out again, and no history shows under an issue it does
not belong to (the activity table outlives deleted issues on purpose)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

import services
from services.models import Activity
from tests.factories import make_issue, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(100)


@dataclass
class Deleted:
    """The newest issue, with a comment, a file and a history, deleted by an admin."""

    issue_id: int
    comment_id: int
    attachment_id: int
    reporter: services.Actor


def delete_the_newest_issue() -> Deleted:
    admin = make_user("ADMIN")
    reporter = make_user(full_name="Olga Oldowner")
    make_issue(reporter, title="An older issue that stays")
    doomed = make_issue(reporter, title="Salary review")
    with services.session() as s:
        comment = services.comments.add_comment(s, reporter, doomed.id, {"body": "see file"})
    with services.session() as s:
        file = services.attachments.save_attachment(
            s, reporter, doomed.id, filename="salaries-2026.png", content=PNG
        )
    with services.session() as s:
        services.issues.change_status(s, admin, doomed.id, "TRIAGED")
    with services.session() as s:
        services.issues.delete_issue(s, admin, doomed.id)
    return Deleted(doomed.id, comment.id, file.id, reporter)


def test_a_new_issue_gets_a_new_id_and_none_of_the_deleted_ones_history(db):
    old = delete_the_newest_issue()
    newcomer = make_user()
    fresh = make_issue(newcomer, title="My own issue")
    assert fresh.id > old.issue_id
    with services.session() as s:
        timeline = services.activity.list_activity(s, newcomer, fresh.id)
        comments = services.comments.list_comments(s, newcomer, fresh.id)
        files = services.issues.get_issue(s, newcomer, fresh.id).attachments
    assert [(a.verb, a.actor.id if a.actor else None) for a in timeline] == [
        ("created", newcomer.id)
    ]
    assert comments == [] and files == []


def test_comment_and_attachment_ids_are_not_reused_either(db):
    old = delete_the_newest_issue()
    newcomer = make_user()
    fresh = make_issue(newcomer)
    with services.session() as s:
        comment = services.comments.add_comment(s, newcomer, fresh.id, {"body": "mine"})
    with services.session() as s:
        file = services.attachments.save_attachment(
            s, newcomer, fresh.id, filename="mine.png", content=PNG
        )
    assert comment.id > old.comment_id and file.id > old.attachment_id


def test_history_of_an_id_reused_before_the_upgrade_stays_hidden(db):
    """A database that reused an id before AUTOINCREMENT holds two issues' rows under one
    issue id: the issue shows only what happened since it was filed."""
    old = delete_the_newest_issue()
    newcomer = make_user()
    fresh = make_issue(newcomer)
    with services.session() as s:  # what SQLite did before: the old rows name the new issue
        s.execute(
            update(Activity).where(Activity.issue_id == old.issue_id).values(issue_id=fresh.id)
        )
        s.commit()
    with services.session() as s:
        timeline = services.activity.list_activity(s, newcomer, fresh.id)
    assert [(a.verb, a.actor.id if a.actor else None) for a in timeline] == [
        ("created", newcomer.id)
    ]
