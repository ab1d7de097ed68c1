"""The image viewer in Chromium, on a phone and a full-HD screen: a thumbnail opens the
issue's images large, one at a time, with previous and next."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

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
    server.cli("create-user", "--email", email, "--password", PASSWORD, "--role", "REPORTER")
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(f"{server.url}/issues/new")
    page.get_by_label("Title").fill("Two screenshots")
    files = [_png(tmp_path / "before.png", "red"), _png(tmp_path / "after.png", "blue")]
    page.locator("input[type=file]").set_input_files([str(f) for f in files])
    expect(page.get_by_text("after.png")).to_be_visible()
    page.get_by_role("button", name="File issue").click()
    expect(page).to_have_url(re.compile(r"/issues/\d+$"))

    page.get_by_role("button", name="Thumbnail of before.png").click()
    viewer = page.get_by_role("dialog")
    expect(viewer.get_by_text("1 of 2")).to_be_visible()
    big = viewer.get_by_role("img", name="before.png")
    expect(big).to_be_visible()
    assert big.bounding_box()["width"] > width * 0.5  # large, not a thumbnail
    viewer.get_by_role("button", name="Next").click()
    expect(viewer.get_by_text("2 of 2")).to_be_visible()
    expect(viewer.get_by_role("img", name="after.png")).to_be_visible()
    viewer.get_by_role("button", name="Close the viewer").click()
    expect(viewer).to_be_hidden()
