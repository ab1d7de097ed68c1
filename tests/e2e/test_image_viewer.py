"""The image viewer in Chromium, on a phone and a full-HD screen: a thumbnail opens the
issue's images large, one at a time, with previous and next."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.conftest import attach_files, signed_in
from tests.serverproc import Server

PASSWORD = "image viewer passphrase 4"


def _png(path: Path, colour: str) -> Path:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("width", [390, 1920])
def test_thumbnails_open_the_viewer(
    server: Server, browser: Any, tmp_path: Path, width: int
) -> None:
    email = f"iris{width}@example.com"
    server.add_user(email, PASSWORD, "REPORTER")
    page = signed_in(browser, server, email, PASSWORD, width=width)
    page.goto(f"{server.url}/issues/new")
    page.get_by_label("Title").fill("Two screenshots")
    files = [_png(tmp_path / "before.png", "red"), _png(tmp_path / "after.png", "blue")]
    attach_files(page, *files)
    page.get_by_role("button", name="File issue").click()
    expect(page).to_have_url(re.compile(r"/issues/\d+$"))

    # Clicked once both files' analyses have arrived: each one redraws the files' part of
    # the page, and a click sent just as the server redraws is for a thumbnail that is gone
    # (a person clicks again; so does the test, at most three times). The two uploads may be
    # stored in either order.
    for name in ("before.png", "after.png"):
        expect(
            page.get_by_role("button", name=f"Thumbnail of {name}").locator("img")
        ).to_have_attribute("src", re.compile("/thumbnail"), timeout=30_000)
    viewer = page.get_by_role("dialog")
    for _ in range(3):
        page.get_by_role("button", name="Thumbnail of before.png").click()
        try:
            viewer.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    expect(viewer.get_by_role("img", name="before.png")).to_be_visible()
    counter = viewer.get_by_text(re.compile(r"^[12] of 2$"))
    expect(counter).to_be_visible()
    first = counter.inner_text()
    page.wait_for_function(  # large, not a thumbnail (once the dialog has opened)
        "w => document.querySelector('.q-dialog .q-img').getBoundingClientRect().width > w",
        arg=width * 0.5,
    )
    viewer.get_by_role("button", name="Next").click()  # the other one (round again)
    expect(viewer.get_by_role("img", name="after.png")).to_be_visible()
    expect(counter).not_to_have_text(first)
    page.keyboard.press("ArrowLeft")
    expect(viewer.get_by_role("img", name="before.png")).to_be_visible()
    page.wait_for_timeout(1000)  # later live redraws of the files leave it open
    expect(viewer.get_by_role("img", name="before.png")).to_be_visible()
    viewer.get_by_role("button", name="Close the viewer").click()
    expect(viewer).to_be_hidden()
