"""Fifty users browsing, searching, filing and commenting at once for a bounded time against
a real server: no 5xx, no exhausted connection pool, every write saved."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

import httpx

import services
from bench.common import NO_WRITE_LIMITS
from services import security
from tests.pgschema import pg_schema
from tests.serverproc import running_server
from tracker_app import migrate

USERS = 50
SECONDS = 12
SECRET = "load-test-secret-" + "z" * 40


def test_fifty_users_for_a_while(tmp_path: Path) -> None:
    if os.environ.get("TRACKER_TEST_DATABASE_URL"):
        with pg_schema("load") as url:
            _run(url, tmp_path)
    else:
        _run(f"sqlite:///{tmp_path / 'load.db'}", tmp_path)


def _run(url: str, tmp_path: Path) -> None:
    migrate.upgrade(url)
    security.configure_hashing(4)
    services.connect(url, upload_dir=tmp_path / "uploads", secret_key=SECRET)
    tokens = []
    with services.session() as s:
        staff = services.users.provision(
            s,
            {
                "email": "staff@example.com",
                "role": "MAINTAINER",
                "password": "load test passphrase",
            },
        )
    for n in range(USERS):
        with services.session() as s:
            view = services.users.provision(
                s, {"email": f"u{n}@example.com", "password": "load test passphrase"}
            )
            actor = services.users.actor_for(s, user_id=view.id)
            tokens.append(services.auth.issue_api_token(s, actor))
    with services.session() as s:
        tokens.append(
            services.auth.issue_api_token(s, services.users.actor_for(s, user_id=staff.id))
        )
    services.runtime().engine.dispose()
    with running_server(
        tmp_path,
        TRACKER_DATABASE_URL=url,
        TRACKER_SECRET_KEY=SECRET,
        TRACKER_UPLOAD_DIR=str(tmp_path / "uploads"),
        **NO_WRITE_LIMITS,  # a drill of load: the per-user limits have tests of their own
    ) as server:
        codes, created = asyncio.run(_storm(server.url, tokens))
        log = (tmp_path / "server.log").read_text()
    assert not [c for c in codes if c >= 500], sorted(set(codes))
    assert set(codes) <= {200, 201}, sorted(set(codes))
    assert len(codes) > USERS * 5  # every user got through many requests
    assert "QueuePool limit" not in log and "Traceback" not in log
    services.connect(url, upload_dir=tmp_path / "uploads", secret_key=SECRET)
    with services.session() as s:
        staff_actor = services.users.actor_for(s, email="staff@example.com")
        assert services.issues.list_issues(s, staff_actor).total == created
    services.runtime().engine.dispose()


async def _storm(base: str, tokens: list[str]) -> tuple[list[int], int]:
    codes: list[int] = []
    created = 0
    deadline = time.monotonic() + SECONDS

    async def one_user(token: str, seed: int) -> None:
        nonlocal created
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {token}"}
        mine: list[int] = []
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            while time.monotonic() < deadline:
                action = rng.choice(["list", "search", "create", "comment", "get"])
                if action == "create" or not mine:
                    r = await http.post("/api/v1/issues", json={"title": f"load {seed}"})
                    if r.status_code == 201:
                        created += 1
                        mine.append(r.json()["id"])
                elif action == "list":
                    r = await http.get("/api/v1/issues?page_size=50")
                elif action == "search":
                    r = await http.get("/api/v1/issues", params={"q": "load", "sort": "-created"})
                elif action == "comment":
                    r = await http.post(
                        f"/api/v1/issues/{rng.choice(mine)}/comments", json={"body": "me too"}
                    )
                else:
                    r = await http.get(f"/api/v1/issues/{rng.choice(mine)}")
                codes.append(r.status_code)

    await asyncio.gather(*(one_user(t, n) for n, t in enumerate(tokens)))
    return codes, created
