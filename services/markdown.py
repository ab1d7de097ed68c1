"""The one Markdown renderer: raw HTML off, links validated (SECURITY.md).

Two inputs of markdown-it's that take long, each rendered with the rules that cost
switched off (the text is all there, just less structured), since no real bug report
needs them at that density:

- unmatched brackets: the link parser is quadratic in them (20,000 `[` take over a
  second), so text with more than MAX_BRACKETS `[` is rendered without links and images;
- deeply nested quotes or lists followed by many lines: each line costs once per level
  (`> ` x 100 then 10,000 lines took 9 to 12 s, and past 100 levels markdown-it silently
  dropped the rest of the text), so a line opening more than MAX_DEPTH containers makes
  the text render without block quotes and lists.

`python -m bench markdown` times these inputs.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt

MAX_BRACKETS = 500
MAX_DEPTH = 5
# The container markers a line starts with: `>` quotes, `-`/`+`/`*`/`1.`/`1)` list items.
_OPENERS = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+", re.M)
_MARKER = re.compile(r">|[-+*]|\d{1,9}[.)]")


@functools.cache
def _renderer(off: tuple[str, ...] = ()) -> MarkdownIt:
    # "js-default": CommonMark without raw HTML, with javascript:/vbscript: links refused.
    md = MarkdownIt("js-default").enable("table").enable("strikethrough")
    return md.disable(list(off)) if off else md


def depth(text: str) -> int:
    """The most containers one line opens (`> > - a` opens three)."""
    return max((len(_MARKER.findall(m.group())) for m in _OPENERS.finditer(text)), default=0)


def render(text: str) -> str:
    """Render user Markdown to HTML that is safe to show; call off the event loop."""
    off: tuple[str, ...] = ()
    if text.count("[") > MAX_BRACKETS:
        off += ("link", "image")
    if depth(text) > MAX_DEPTH:
        off += ("blockquote", "list")
    return _renderer(off).render(text)


def options() -> dict[str, object]:
    return dict(_renderer().options)
