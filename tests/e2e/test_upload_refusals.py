"""A refused file is refused for the real reason, before it is uploaded: a type that is
not accepted says so (it used to be reported as too large), an oversized file gives its size
and the limit, and one file too many names the count. The bar shown while a file uploads,
and the drop zone's file input however often it is drawn, are named for screen readers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import signed_in
from tests.serverproc import Server, running_server

EMAIL, PASSWORD = "uma@example.com", "upload refusals passphrase 5"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("uploads"), TRACKER_MAX_UPLOAD_MB="1") as server:
        server.add_user(EMAIL, PASSWORD, "REPORTER")
        yield server


@pytest.fixture
def page(server: Server, browser: Any) -> Iterator[Page]:
    page = signed_in(browser, server, EMAIL, PASSWORD)
    expect(page.get_by_text("You have not filed an issue yet.")).to_be_visible()
    page.goto(f"{server.url}/issues/new")
    yield page
    page.context.close()


def test_a_file_of_the_wrong_type_is_refused_for_its_type(page: Page, tmp_path: Path) -> None:
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ" + bytes(200))
    page.locator("input[type=file]").set_input_files(str(program))
    expect(page.get_by_text("setup.exe: this type of file is not accepted.")).to_be_visible()
    expect(page.get_by_text("over the limit")).to_have_count(0)


def test_an_oversized_file_gives_its_size_and_the_limit(page: Page, tmp_path: Path) -> None:
    big = tmp_path / "huge.log"
    big.write_bytes(b"line\n" * 400_000)  # 2 MB of text, the limit is 1 MB
    page.locator("input[type=file]").set_input_files(str(big))
    expect(
        page.get_by_text("huge.log is 1.9 MB, over the limit of 1.0 MB per file.")
    ).to_be_visible()
    expect(page.get_by_text("not accepted")).to_have_count(0)


def test_one_file_too_many_names_the_count(page: Page, tmp_path: Path) -> None:
    files = []
    for n in range(11):
        path = tmp_path / f"note{n}.txt"
        path.write_text(f"note {n}\n")
        files.append(str(path))
    page.locator("input[type=file]").set_input_files(files)
    expect(page.get_by_text("at most 10 files per issue.").first).to_be_visible()


def test_the_bar_shown_while_the_page_sends_has_a_name(page: Page) -> None:
    """Quasar's loading bar shows at the top while the page sends over HTTP (an upload, a
    fetch); screen readers announce it as a progress bar, which needs a name."""
    from tests.e2e.accessibility import violations

    expect(page.get_by_label("Choose files")).to_be_attached()  # the page is drawn
    page.evaluate("() => { const r = new XMLHttpRequest(); r.open('GET', '/healthz'); r.send(); }")
    bar = page.get_by_role("progressbar", name="Loading")
    expect(bar).to_be_attached()
    assert violations(page) == []
    # White over the blue header it runs across (it was the header's own colour).
    header = page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor")
    colour = bar.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 255, 255)" != header


def test_the_drop_zone_stays_named_once_a_file_is_staged(page: Page, tmp_path: Path) -> None:
    """Quasar draws the drop zone's "+" and its file input anew when a file is added; the new
    ones were left unnamed (a button and an input a screen reader could not tell apart)."""
    from tests.e2e.accessibility import violations

    note = tmp_path / "note.txt"
    note.write_text("staged\n")
    page.get_by_label("Choose files").set_input_files(str(note))
    expect(page.get_by_role("button", name="Remove file")).to_have_count(1)
    expect(page.get_by_label("Choose files")).to_be_attached()
    assert violations(page) == []
