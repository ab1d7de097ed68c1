"""A live list's rows pushed as a difference (pages/live_rows.py): what the browser gets
rebuilds exactly the new rows from the ones it holds."""

from __future__ import annotations

import json
from typing import Any

from pages.live_rows import difference


def _rebuild(held: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    """What the browser does with the difference (live_rows.js), in Python."""
    by_id = {row["id"]: row for row in held}
    return [by_id[x] if isinstance(x, int) else x for x in json.loads(code)]


def _rows(*specs: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"id": n, "title": f"Issue {n}", "status": status} for n, status in specs]


def test_only_the_rows_that_changed_are_sent_whole() -> None:
    old = _rows((1, "OPEN"), (2, "OPEN"), (3, "OPEN"), (4, "OPEN"))
    new = _rows((3, "TRIAGED"), (5, "OPEN"), (1, "OPEN"), (2, "OPEN"))  # moved, new, gone
    code = difference(old, new)
    assert json.loads(code) == [new[0], new[1], 1, 2]
    assert _rebuild(old, code) == new
    # A browser that already got the new rows whole (a full update went first) ends the same.
    assert _rebuild(new, code) == new


def test_pages_sharing_their_rows_share_one_encoding() -> None:
    old, new = _rows((1, "OPEN")), _rows((1, "DONE"))
    assert difference(old, new) is difference(old, new)
    assert difference(old, _rows((1, "DONE"))) == difference(old, new)  # equal, not the same
