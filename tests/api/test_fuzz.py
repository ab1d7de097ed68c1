"""Schemathesis generates requests from our OpenAPI schema against the real server
(`tracker serve`), as an admin: no input may produce a 5xx, and responses must match the
schema's status codes and content types."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.serverproc import running_server

PASSWORD = "fuzzing passphrase 12"


def _schemathesis() -> str:
    found = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    if not Path(found).exists():
        pytest.fail("schemathesis is not installed (it is in the test extra)")
    return found


@pytest.mark.timeout(660)  # schemathesis has 600 s of its own (below)
def test_no_input_makes_the_api_fail(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        server.cli("create-admin", "--email", "fuzz@example.com", "--password", PASSWORD)
        token = httpx.post(
            f"{server.url}/api/v1/auth/token",
            json={"email": "fuzz@example.com", "password": PASSWORD},
        ).json()
        for n in range(3):  # something to find, update and delete
            httpx.post(
                f"{server.url}/api/v1/issues",
                json={"title": f"seed {n}"},
                headers={"Authorization": f"Bearer {token['access_token']}"},
            )
        result = subprocess.run(
            [
                _schemathesis(),
                "run",
                f"{server.url}/openapi.json",
                "--header",
                f"Authorization: Bearer {token['access_token']}",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance",
                "--max-examples",
                "25",
                "--seed",
                "1",
                "--request-timeout",
                "20",
                "--exclude-path",
                "/api/v1/auth/token",
                "--exclude-path",
                "/api/v1/auth/register",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        log = (tmp_path / "server.log").read_text()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Traceback" not in log, log[-4000:]
