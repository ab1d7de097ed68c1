"""What every page's head holds, added once per process however often the app is built (the
tests build it again and again, and NiceGUI keeps the shared head for the whole process)."""

from __future__ import annotations

from nicegui import Client, ui


def share(html: str) -> bool:
    """Put `html` into every page's head unless it is there already; whether it was added."""
    if html in Client.shared_head_html:
        return False
    ui.add_head_html(html, shared=True)
    return True


def share_css(css: str) -> None:
    """Our styles for every page. A `<style>` in the head sits where NiceGUI's `add_css` would
    put it (its script appends the style while the head is read), without the script."""
    share(f"<style>{css}</style>")
