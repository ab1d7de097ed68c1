"""The list's query as each database gets it: SQLite, which keeps no statistics, is told
that the statuses are the common condition beside one reporter or `affected_min`, so its
planner reads their index (the insights' "most affected" read every unresolved issue)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from services import queries
from services.filters import IssueFilter
from services.models import Issue


def _sql(f: IssueFilter, dialect) -> str:
    return str(queries.filtered(select(Issue.id), f).compile(dialect=dialect))


def test_sqlite_hears_that_the_statuses_are_common_beside_rarer_filters() -> None:
    both = IssueFilter(status=["OPEN", "TRIAGED"], affected_min=2)
    assert "likely(issues.status IN" in _sql(both, sqlite.dialect())
    assert "likely" not in _sql(both, postgresql.dialect())
    assert "(issues.status IN" in _sql(both, postgresql.dialect())
    assert "likely" not in _sql(IssueFilter(status=["OPEN"]), sqlite.dialect())
    one_reporter = IssueFilter(status=["OPEN"], reporter_id=7)
    assert "likely(issues.status IN" in _sql(one_reporter, sqlite.dialect())
