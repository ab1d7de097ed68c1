"""The Tailwind utility classes the pages use, compiled ahead of time into `utilities.css`
and served as one stylesheet, instead of NiceGUI's default of compiling them in every
browser, on every page load, with Tailwind's in-browser compiler (a development tool, by
Tailwind's own account: 260 KB of script, ~10 % of a page load's CPU). The stylesheet
holds the very rules that compiler writes; tests/e2e/test_utility_styles.py rebuilds it
from the classes in pages/ and tracker_app/ and fails when it is out of date."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nicegui import app
from starlette.responses import Response

from . import head

CSS = Path(__file__).with_name("utilities.css")
# The file's hash in its address: browsers keep it for a year and fetch a changed one anew.
PATH = "/_tracker/utilities"
URL = f"{PATH}.{hashlib.sha256(CSS.read_bytes()).hexdigest()[:16]}.css"
YEAR = 365 * 24 * 3600


def register() -> None:
    """Serve the stylesheet and link it from every page's head (once per process)."""
    if not head.share(f'<link rel="stylesheet" href="{URL}">'):
        return  # served already
    css = CSS.read_bytes()
    cache = {"Cache-Control": f"public, max-age={YEAR}, immutable"}

    @app.get(URL, include_in_schema=False)  # not part of the API's documentation
    def utilities_css() -> Response:
        return Response(css, media_type="text/css", headers=cache)
