"""docs/notebook.ipynb runs from top to bottom on demo data (nbclient), so it cannot rot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import services
from services import demo
from services.models import DailyStat

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebook.ipynb"


def test_the_example_notebook_runs(db, tmp_path: Path, monkeypatch) -> None:
    with services.session() as s:
        demo.ensure_demo_users(s)
    with services.session() as s:
        demo.seed_issues(s, 150)
    with services.session() as s:
        for n in range(3):
            s.add(
                DailyStat(
                    day=dt.date(2026, 11, 20 + n), status="OPEN", severity="HIGH", count=5 + n
                )
            )
        s.commit()
        maintainer = services.users.actor_for(s, email="max.maintainer@example.com")
        open_before = services.issues.list_issues(s, maintainer, status="OPEN").total
    monkeypatch.setenv("TRACKER_DATABASE_URL", db)
    monkeypatch.setenv("TRACKER_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.delenv("TRACKER_REDIS_URL", raising=False)

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "is now TRIAGED" in printed
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs)
    with services.session() as s:
        assert services.issues.list_issues(s, maintainer, status="OPEN").total == open_before - 1
