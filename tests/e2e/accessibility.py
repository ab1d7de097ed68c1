"""axe-core, and what a page must be before it looks: connected, loaded and still. Used by
tests/e2e/test_every_page.py, which checks every page for every role in each of the LOOKS."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

# Each page is checked on a laptop in light and dark mode and on a phone in light mode, in
# one page load: the viewport and the system's colour scheme change under the loaded page
# (the pages follow the system's scheme until a user picks one), as when a phone is turned
# or the system's theme switches.
LOOKS = (("laptop", 1280, "light"), ("laptop", 1280, "dark"), ("phone", 390, "light"))
HEIGHT = 900


# Resolves once the page's DOM has not changed for `quiet` ms (at most 10 s).
_DOM_QUIET = """quiet => new Promise(resolve => {
  let timer = setTimeout(done, quiet);
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(done, quiet);
  });
  const stop = setTimeout(done, 10000);
  function done() { observer.disconnect(); clearTimeout(stop); resolve(); }
  const all = {subtree: true, childList: true, attributes: true, characterData: true};
  observer.observe(document, all);
})"""


class Requests:
    """The page's HTTP requests in flight, its live connection (socket.io, which falls back to
    polling when the websocket is slow to open) aside."""

    def __init__(self, page: Page) -> None:
        self.pending: set[Any] = set()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        if "/_nicegui_ws/" not in request.url:
            self.pending.add(request)

    def _ended(self, request: Any) -> None:
        self.pending.discard(request)


def settle(page: Page, requests: Requests) -> None:
    """Wait until the page is connected, has no request in flight and its DOM has been still
    for 0.2 s: what axe-core should see. Playwright's "networkidle" waits 0.5 s more a page and
    never comes when the live connection has fallen back to polling (a busy machine)."""
    page.wait_for_function("window.did_handshake === true")
    deadline = time.monotonic() + 30
    while True:
        page.evaluate(_DOM_QUIET, 200)
        if not requests.pending:
            return
        pending = sorted(r.url for r in requests.pending)
        assert time.monotonic() < deadline, f"{page.url}: still loading {pending} after 30 s"
        page.wait_for_timeout(50)


def show_as(page: Page, width: int, scheme: str) -> None:
    """The page at `width` in the system's colour `scheme`, once its theme has followed."""
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    dark = "true" if scheme == "dark" else "false"
    page.wait_for_function(f"document.body.classList.contains('body--dark') === {dark}")


def violations(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now (axe-core
    is put into the page on its first check after a load: 570 KB of script)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe.axe_script)
    found = page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
