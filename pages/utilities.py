"""The Tailwind utility classes the pages use, compiled ahead of time into `utilities.css`
and served as one stylesheet, instead of NiceGUI's default of compiling them in every
browser, on every page load, with Tailwind's in-browser compiler (a development tool, by
Tailwind's own account: ~260 KB of script and ~15 % of a page load's CPU). The stylesheet
holds the very rules that compiler writes; tests/e2e/test_utility_styles.py rebuilds it
from the classes in pages/ and tracker_app/ and fails when it is out of date."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nicegui import app, ui
from nicegui.client import Client

CSS = Path(__file__).with_name("utilities.css")
# The file's hash in its address: browsers keep it for a year and fetch a changed one anew.
PATH = "/_tracker/utilities"
URL = f"{PATH}.{hashlib.sha256(CSS.read_bytes()).hexdigest()[:16]}.css"
YEAR = 365 * 24 * 3600


def register() -> None:
    """Serve the stylesheet and link it from every page's head (once per process)."""
    link = f'<link rel="stylesheet" href="{URL}">'
    if link in Client.shared_head_html:
        return
    app.add_static_file(local_file=CSS, url_path=URL, max_cache_age=YEAR)
    ui.add_head_html(link, shared=True)
