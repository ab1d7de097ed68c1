"""End-to-end: the real `tracker serve` in a subprocess, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serverproc import Server, running_server

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# Playwright's expectations wait 5 s by default. A chart draws once Plotly (~4 MB of script,
# parsed again by every fresh browser context) has loaded, which took longer than that with
# two workers' browsers and servers on a 2-core machine. An expectation that holds returns
# at once, so only a failure takes longer to report.
EXPECT_TIMEOUT_MS = 15_000
SHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    with running_server(tmp_path_factory.mktemp("e2e")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def shots(tmp_path: Path) -> Iterator[Path]:
    """Screenshots go to a temporary folder; with TRACKER_UPDATE_SCREENSHOTS=1 they are
    copied to docs/screenshots/ for the README."""
    yield tmp_path
    if os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, SHOTS / png.name)


def signed_in(
    browser: Any,
    server: Server,
    email: str,
    password: str,
    *,
    width: int = 1280,
    height: int = 900,
    **context: Any,
) -> Any:
    """A new browser context at `width` (more context options as keywords, e.g.
    color_scheme), signed in, on the issue list; returns its page. The session is made by the
    services' sign-in and handed to the browser as its cookie: the login page costs Chromium
    ~2 s of CPU, and the tests that are about it sign in through it
    (test_sign_out_and_lockout.py, test_happy_path.py, the accessibility checks and
    test_content_security_policy.py)."""
    from playwright.sync_api import expect

    browser_context = browser.new_context(viewport={"width": width, "height": height}, **context)
    browser_context.add_cookies([server.session_cookie(email, password)])
    page = browser_context.new_page()
    page.goto(f"{server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def attach_files(page: Any, *paths: Path) -> None:
    """Choose files in the new-issue form and wait until each is staged: listed under the
    form with its "Remove file" button. The uploader shows a file's name while it uploads;
    a click on "File issue" then could land on a row added a moment later, or file the issue
    without the file."""
    from playwright.sync_api import expect

    page.locator("input[type=file]").set_input_files([str(p) for p in paths])
    expect(page.get_by_role("button", name="Remove file")).to_have_count(len(paths))
    for path in paths:
        expect(page.get_by_text(path.name).last).to_be_visible()
