"""axe-core on every page, for every role: no serious or critical accessibility violation.
On a laptop (1280 px wide) in light mode. The other widths and schemes have a file each
(test_accessibility_*.py) so that they can run in parallel; the checks are in
tests/e2e/accessibility.py."""

from __future__ import annotations

from typing import Any

from tests.e2e.accessibility import check_every_page
from tests.serverproc import Server


def test_no_serious_violation_on_any_page(server: Server, browser: Any) -> None:
    check_every_page(server, browser, width=1280, scheme="light")
