"""Plain factory functions for tests."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from typing import Any

import services
from services import Actor, IssueView, Role

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(role: Role | str = Role.REPORTER, *, email: str | None = None, **kw: Any) -> Actor:
    email = email or f"user{next(_seq)}@example.com"
    data = {"email": email, "password": PASSWORD, "full_name": f"User {email}", "role": role, **kw}
    with services.session() as s:
        view = services.users.provision(s, data)
    return Actor(**view.model_dump(include={"id", "email", "full_name", "role", "is_active"}))


def make_issue(actor: Actor, **kw: Any) -> IssueView:
    data = {"title": f"Issue {next(_seq)}", "description": "Something *broke*.", **kw}
    with services.session() as s:
        return services.issues.create_issue(s, actor, data)


def team() -> dict[str, Actor]:
    """One user of each role plus a second reporter."""
    return {
        "reporter": make_user(Role.REPORTER),
        "other": make_user(Role.REPORTER),
        "maintainer": make_user(Role.MAINTAINER),
        "admin": make_user(Role.ADMIN),
    }


def in_another_process(db: str, code: str, *, email: str = "admin@example.com") -> None:
    """Run `code` in a real second Python process connected to the same database (a CLI
    command, mail-in, the worker or a notebook), with `actor` the user of `email`."""
    script = textwrap.dedent(
        f"""
        import services
        services.connect({db!r})
        with services.session() as s:
            actor = services.users.actor_for(s, email={email!r})
        """
    ) + textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
