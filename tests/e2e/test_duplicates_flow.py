"""Similar and duplicate issues, in Chromium against a real `tracker serve` with the
embedding model: a reporter typing a paraphrase of someone else's issue is told a similar
report exists (and nothing of it), files anyway; a maintainer sees it among the possible
duplicates and merges it in one click; the original's "affected" count rises live on its
reporter's open page, and the duplicate's reporter sees where the original stands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server, running_server

PASSWORD = "duplicates flow passphrase 5"
ORIGINAL = "Password reset email never arrives"
PARAPHRASE = "The password reset mail does not come"


@pytest.fixture(scope="module")
def model_server(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("e2e-similar")
    with running_server(data, TRACKER_SIMILARITY_MODEL_DIR=str(model_dir)) as server:
        yield server


def _file(page: Page, server: Server, title: str) -> str:
    page.goto(f"{server.url}/issues/new")
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="File issue").click()
    expect(page).to_have_url(re.compile(r"/issues/\d+$"))
    return page.url


def test_a_paraphrase_is_caught_merged_and_counted(
    model_server: Server, browser: Any, shots: Path
) -> None:
    server = model_server
    for email, role in (
        ("rosa@example.com", "REPORTER"),
        ("ben@example.com", "REPORTER"),
        ("mo@example.com", "MAINTAINER"),
    ):
        server.add_user(email, PASSWORD, role)

    rosa = signed_in(browser, server, "rosa@example.com", PASSWORD)
    original_url = _file(rosa, server, ORIGINAL)
    original_id = original_url.rsplit("/", 1)[1]
    expect(rosa.get_by_text("Affects 2 reporters")).to_have_count(0)

    ben = signed_in(browser, server, "ben@example.com", PASSWORD, width=390)  # on a phone
    ben.goto(f"{server.url}/issues/new")
    ben.get_by_label("Title").press_sequentially(PARAPHRASE, delay=20)
    hint = ben.get_by_text("A similar report already exists")
    expect(hint).to_be_visible(timeout=20_000)
    hint.scroll_into_view_if_needed()
    expect(ben.get_by_text(ORIGINAL)).to_have_count(0)  # nothing of Rosa's issue leaks
    expect(ben.get_by_text(f"#{original_id}")).to_have_count(0)
    ben.screenshot(path=shots / "9-similar-while-typing.png")
    ben.get_by_role("button", name="File issue").click()
    expect(ben).to_have_url(re.compile(r"/issues/\d+$"))
    duplicate_url = ben.url

    mo = signed_in(browser, server, "mo@example.com", PASSWORD, width=1920)
    mo.goto(duplicate_url)
    expect(mo.get_by_text("Possible duplicates")).to_be_visible(timeout=20_000)
    expect(mo.get_by_role("link", name=f"#{original_id} {ORIGINAL}")).to_be_visible()
    mo.screenshot(path=shots / "10-possible-duplicates.png")
    mo.get_by_role("button", name=f"Mark as duplicate of #{original_id}").click()
    expect(mo.get_by_text("Duplicate of", exact=True)).to_be_visible()

    expect(rosa.get_by_text("Affects 2 reporters")).to_be_visible(timeout=10_000)  # live
    expect(ben.get_by_text("Closed as a duplicate of another report")).to_be_visible(timeout=10_000)
    expect(ben.get_by_text(ORIGINAL)).to_have_count(0)

    mo.goto(f"{server.url}/issues/{original_id}")
    mo.get_by_role("button", name="Move to Triaged").click()
    expect(ben.get_by_text("Triaged")).to_be_visible(timeout=10_000)  # the original, live
