"""`tracker intake reprocess`: re-reads attachments (creating the analyses of files from
before the intake), skips what the current reader already read, keeps corrections."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result
from sqlalchemy import delete, select

import services
from services.intake.models import Analysis
from tests.factories import PASSWORD


def test_reprocess_reads_old_files_once(tracker: Callable[..., Result], db_session) -> None:
    assert tracker("db", "upgrade").exit_code == 0
    assert (
        tracker(
            "create-user", "--email", "r@example.com", "--role", "REPORTER", "--password", PASSWORD
        ).exit_code
        == 0
    )
    with db_session() as s:
        me = services.users.actor_for(s, email="r@example.com")
        issue = services.issues.create_issue(s, me, {"title": "Crash on save"})
    with db_session() as s:
        services.attachments.save_attachment(s, me, issue.id, filename="a.log", content=b"x\n")
    with db_session() as s:  # as if the file had been attached before the intake existed
        s.execute(delete(Analysis).where(Analysis.source == "attachment"))
        s.commit()

    result = tracker("intake", "reprocess")
    assert result.exit_code == 0, result.output
    assert "Looked at 1 files." in result.output
    with db_session() as s:
        [row] = s.scalars(select(Analysis).where(Analysis.source == "attachment")).all()
        assert (row.status, row.kind, row.text) == ("done", "text", "x\n")
        finished = row.finished_at

    assert "Looked at 1 files." in tracker("intake", "reprocess", "--since", "2000-01-01").output
    assert "Looked at 0 files." in tracker("intake", "reprocess", "--kind", "image").output
    with db_session() as s:
        assert s.scalar(select(Analysis.finished_at).where(Analysis.id == row.id)) == finished

    bad = tracker("intake", "reprocess", "--kind", "movie")
    assert bad.exit_code == 2 and "'movie' is not one of" in bad.output


def test_reindex_computes_each_issues_vector_once(
    tracker: Callable[..., Result], db_session, model_dir
) -> None:
    from services.models import IssueVector

    assert tracker("db", "upgrade").exit_code == 0
    tracker("create-user", "--email", "r@example.com", "--role", "REPORTER", "--password", PASSWORD)
    with db_session() as s:
        me = services.users.actor_for(s, email="r@example.com")
        for title in ("Crash on save", "Export is slow"):
            services.issues.create_issue(s, me, {"title": title})
    missing = tracker("intake", "reindex", TRACKER_SIMILARITY_MODEL_DIR="/nonexistent/model")
    assert missing.exit_code != 0 and "lexical fallback" in missing.output

    result = tracker("intake", "reindex", TRACKER_SIMILARITY_MODEL_DIR=str(model_dir))
    assert result.exit_code == 0, result.output
    assert "Computed 2 of 2 issue vectors." in result.output
    again = tracker("intake", "reindex", TRACKER_SIMILARITY_MODEL_DIR=str(model_dir))
    assert "Computed 0 of 2 issue vectors." in again.output
    with db_session() as s:
        assert len(s.scalars(select(IssueVector)).all()) == 2
