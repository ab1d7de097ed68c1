"""`tracker bulk`: the bulk edit from a terminal or a script."""

from __future__ import annotations

import services

GOOD = "a long passphrase 42"


def _issues(tracker, db_session, tmp_path, count: int) -> list[int]:
    assert tracker("create-admin", "--email", "boss@example.com", "--password", GOOD).exit_code == 0
    rows = "".join(f"Printer {n} jams,,LOW\n" for n in range(count))
    (tmp_path / "in.csv").write_text("title,description,severity\n" + rows + "Other,,HIGH\n")
    assert tracker("import", str(tmp_path / "in.csv")).exit_code == 0
    with db_session() as s:
        admin = services.users.actor_for(s, email="boss@example.com")
        return sorted(i.id for i in services.issues.list_issues(s, admin).items)


def test_ids_are_changed_and_the_refused_ones_listed(tracker, db_session, tmp_path) -> None:
    ids = _issues(tracker, db_session, tmp_path, 3)
    assert tracker("bulk", str(ids[0]), "--status", "TRIAGED").exit_code == 0
    result = tracker("bulk", *map(str, ids[:3]), "--status", "IN_PROGRESS", "--add-tag", "hardware")
    assert result.exit_code == 1
    assert f"#{ids[1]}: Cannot move from OPEN to IN_PROGRESS" in result.output
    assert "1 changed, 0 already so, 2 refused (as boss@example.com)" in result.output
    with db_session() as s:
        admin = services.users.actor_for(s, email="boss@example.com")
        moved = services.issues.get_issue(s, admin, ids[0])
        left = services.issues.get_issue(s, admin, ids[1])
    assert (moved.status, moved.tags) == ("IN_PROGRESS", ["hardware"])
    assert (left.status, left.tags) == ("OPEN", [])


def test_where_filters_select_every_match(tracker, db_session, tmp_path) -> None:
    _issues(tracker, db_session, tmp_path, 4)
    result = tracker(
        "bulk",
        "--where",
        "severity=LOW",
        "--where",
        "q=jams",
        "--assign",
        "boss@example.com",
        "--comment",
        "Mine.",
    )
    assert result.exit_code == 0, result.output
    assert "4 changed, 0 already so, 0 refused" in result.output
    with db_session() as s:
        admin = services.users.actor_for(s, email="boss@example.com")
        mine = services.issues.list_issues(s, admin, assignee="me")
    assert mine.total == 4 and all("jams" in i.title for i in mine.items)


def test_bad_use_is_explained(tracker, db_session, tmp_path) -> None:
    ids = _issues(tracker, db_session, tmp_path, 1)
    assert "Give issue ids" in tracker("bulk", "--status", "TRIAGED").output
    nothing = tracker("bulk", str(ids[0]))
    assert nothing.exit_code == 1 and "at least one change" in nothing.output
    wrong = tracker("bulk", "--where", "colour=red", "--severity", "LOW")
    assert wrong.exit_code == 1 and "colour" in wrong.output
