"""`services` on its own, as a notebook uses it; nothing connects at import time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tracker_app import migrate

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_importing_services_connects_to_nothing(tmp_path):
    result = _python(
        """
        import socket, sqlalchemy
        def refuse(*a, **k): raise AssertionError("network at import time")
        socket.socket.connect = refuse
        real = sqlalchemy.create_engine
        sqlalchemy.create_engine = refuse
        import services
        assert services.db._runtime is None
        print("clean")
    """,
        tmp_path,
    )
    assert result.stdout.strip() == "clean", result.stderr


def test_the_architecture_snippet_works_in_a_fresh_interpreter(tmp_path):
    url = f"sqlite:///{tmp_path / 'nb.db'}"
    migrate.upgrade(url)
    result = _python(
        f"""
        import services
        from services import security
        security.configure_hashing(4)
        services.connect({url!r}, upload_dir={str(tmp_path / "up")!r})
        with services.session() as s:
            services.users.provision(s, dict(email="ana@example.com", role="MAINTAINER",
                                              password="a fine long passphrase"))
            services.users.provision(s, dict(email="rob@example.com",
                                              password="another long passphrase"))
        with services.session() as s:
            rob = services.users.actor_for(s, email="rob@example.com")
            services.issues.create_issue(s, rob, services.IssueCreate(title="From a notebook"))
        with services.session() as s:
            ana = services.users.actor_for(s, email="ana@example.com")
            rows = services.issues.list_issues(s, ana, status="OPEN", page_size=100)
            moved = services.issues.change_status(s, ana, rows.items[0].id, "TRIAGED",
                                                  version=rows.items[0].version)
        print(rows.total, moved.status.value, moved.reporter.email)
    """,
        tmp_path,
    )
    assert result.stdout.split() == ["1", "TRIAGED", "rob@example.com"], result.stderr
