"""The one Markdown renderer: raw HTML off, links validated (SECURITY.md).

markdown-it's link parser is quadratic in unmatched brackets (20,000 `[` take over a
second); text with that many brackets is rendered without link and image parsing, which
no real bug report needs at that density.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

# "js-default": CommonMark without raw HTML, with javascript:/vbscript: links refused.
_md = MarkdownIt("js-default").enable("table").enable("strikethrough")
_md_no_links = (
    MarkdownIt("js-default").enable("table").enable("strikethrough").disable(["link", "image"])
)
MAX_BRACKETS = 500


def render(text: str) -> str:
    """Render user Markdown to HTML that is safe to show; call off the event loop."""
    if text.count("[") > MAX_BRACKETS:
        return _md_no_links.render(text)
    return _md.render(text)


def options() -> dict[str, object]:
    return dict(_md.options)
