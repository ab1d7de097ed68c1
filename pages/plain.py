"""Props set as plain values. NiceGUI wraps a dict or list put into an element's props in
its observable copies, which watch every change in place; values that are only ever
replaced whole (a table's rows, the options of a picker) need none of that, and on pages
that stay open the copies were a good part of their memory (docs/performance.md)."""

from __future__ import annotations

from typing import Any

from nicegui import ui


def set_plain(element: ui.element, **values: Any) -> None:
    """Set `element`'s props to `values` as they are; sent with its next update. Replace a
    value to change it, never change it in place (the element would not notice)."""
    for key, value in values.items():
        dict.__setitem__(element.props, key, value)
