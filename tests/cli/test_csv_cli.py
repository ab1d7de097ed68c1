"""`tracker import` and `tracker export`."""

from __future__ import annotations

import csv
from pathlib import Path

import services

GOOD = "a long passphrase 42"


def _setup(tracker) -> None:
    assert tracker("create-admin", "--email", "boss@example.com", "--password", GOOD).exit_code == 0
    assert (
        tracker(
            "create-user", "--email", "rep@example.com", "--role", "REPORTER", "--password", GOOD
        ).exit_code
        == 0
    )


def test_import_checks_every_row_before_writing(tracker, db_session, tmp_path: Path) -> None:
    _setup(tracker)
    bad = tmp_path / "bad.csv"
    bad.write_text("title,severity\nFine,LOW\n,HIGH\nAlso fine,HUGE\n")
    result = tracker("import", str(bad))
    assert result.exit_code == 1
    assert "row 3: title" in result.output and "row 4: severity" in result.output
    assert "nothing was imported" in result.output
    good = tmp_path / "good.csv"
    good.write_text("title,description,severity,tags\nOne,first,LOW,ui\nTwo,second,HIGH,\n")
    dry = tracker("import", str(good), "--dry-run")
    assert dry.exit_code == 0 and "2 rows are fine" in dry.output
    with db_session() as s:
        admin = services.users.actor_for(s, email="boss@example.com")
        assert services.issues.list_issues(s, admin).total == 0
    done = tracker("import", str(good))
    assert done.exit_code == 0 and "Imported 2 issues as boss@example.com" in done.output
    with db_session() as s:
        titles = sorted(i.title for i in services.issues.list_issues(s, admin).items)
    assert titles == ["One", "Two"]


def test_import_as_a_reporter_cannot_tag(tracker, tmp_path: Path) -> None:
    _setup(tracker)
    file = tmp_path / "tags.csv"
    file.write_text("title,tags\nTagged,ui\n")
    result = tracker("import", str(file), "--as", "rep@example.com")
    assert result.exit_code == 1 and "only staff can tag" in result.output


def test_export_writes_a_neutralised_csv(tracker, tmp_path: Path) -> None:
    _setup(tracker)
    source = tmp_path / "in.csv"
    source.write_text('title,description\n"@SUM(A1)",ok\nPlain,"=1+1"\n')
    assert tracker("import", str(source)).exit_code == 0
    out = tmp_path / "out.csv"
    result = tracker("export", "--out", str(out))
    assert result.exit_code == 0 and "Exported 2 issues" in result.output
    rows = list(csv.DictReader(out.open()))
    assert [(r["title"], r["description"]) for r in rows] == [
        ("'@SUM(A1)", "ok"),
        ("Plain", "'=1+1"),
    ]
    mine = tracker("export", "--as", "rep@example.com")
    assert mine.exit_code == 0 and mine.stdout.count("\n") == 1  # the header only


def test_export_without_any_admin_asks_for_someone(tracker) -> None:
    result = tracker("export")
    assert result.exit_code == 1 and "--as EMAIL" in result.output


def test_stats_run_and_backfill(tracker, db_session) -> None:
    _setup(tracker)
    run = tracker("stats", "run", "--day", "2026-01-15")
    assert run.exit_code == 0 and run.output.startswith("2026-01-15: OPEN 0")
    backfill = tracker("stats", "backfill", "--since", "2026-01-01", "--until", "2026-01-10")
    assert backfill.exit_code == 0 and "Recomputed 10 days" in backfill.output
    wrong = tracker("stats", "backfill", "--since", "2026-02-01", "--until", "2026-01-01")
    assert wrong.exit_code == 1 and "--since is after --until" in wrong.output
    from sqlalchemy import func, select

    from services.models import DailyStat

    with db_session() as s:
        assert s.scalar(select(func.count()).select_from(DailyStat)) == 11 * 16


def test_worker_and_scheduler_need_redis(tracker) -> None:
    for command in ("worker", "scheduler"):
        result = tracker(command)
        assert result.exit_code == 1 and "TRACKER_REDIS_URL" in result.output
