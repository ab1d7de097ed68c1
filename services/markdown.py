"""The one Markdown renderer: raw HTML off, links validated (SECURITY.md)."""

from __future__ import annotations

from markdown_it import MarkdownIt

# "js-default": CommonMark without raw HTML, with javascript:/vbscript: links refused.
_md = MarkdownIt("js-default").enable("table").enable("strikethrough")


def render(text: str) -> str:
    """Render user Markdown to HTML that is safe to show; call off the event loop."""
    return _md.render(text)


def options() -> dict[str, object]:
    return dict(_md.options)
