"""The one Markdown renderer: raw HTML off, links validated (SECURITY.md), and images
only from this site's own attachment URLs.

An image loads as soon as the text is shown, without a click: `![](/auth/logout)` would
act with the reader's cookies and `![](https://elsewhere.example/pixel.gif)` would tell a
third party who reads the issue, when and from where. So only OWN_IMAGE URLs render as
images; every other image becomes a plain link showing its alt text (or its URL).

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
import html
import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MAX_BRACKETS = 500
MAX_DEPTH = 5
# The container markers a line starts with: `>` quotes, `-`/`+`/`*`/`1.`/`1)` list items.
_OPENERS = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+", re.M)
_MARKER = re.compile(r">|[-+*]|\d{1,9}[.)]")
# The attachment routes (pages/downloads.py and the API's /api/v1/attachments/{id}): GETs
# that only read a file the reader may see. Relative only: the renderer cannot know the
# site's host name, and the page shows them on this site anyway.
OWN_IMAGE = re.compile(r"/(?:api/v1/)?attachments/[1-9][0-9]{0,9}(?:\?inline=1)?")
# An image as the renderer writes it: src, alt, then an optional title.
_IMG_TAG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="[^"]*")?>')


@functools.cache
def _renderer(off: tuple[str, ...] = ()) -> MarkdownIt:
    # "js-default": CommonMark without raw HTML, with javascript:/vbscript: links refused.
    md = MarkdownIt("js-default").enable("table").enable("strikethrough")
    md.add_render_rule("image", _image)
    return md.disable(list(off)) if off else md


def _image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An own attachment as an image; anything else as a link to it (plain text inside a
    link, since links do not nest)."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if OWN_IMAGE.fullmatch(src):
        return self.image(tokens, idx, options, env)
    text = escapeHtml(self.renderInlineAsText(token.children or [], options, env) or src)
    if _inside_link(tokens[:idx]):
        return text
    return f'<a href="{escapeHtml(src)}">{text}</a>'


def _inside_link(before: Sequence[Token]) -> bool:
    depth = 0
    for token in before:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


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


def shown(stored_html: str) -> str:
    """The HTML to show for stored Markdown. HTML stored before images were limited to
    OWN_IMAGE may hold other images: each becomes the link the renderer makes now. A
    substitution on the renderer's own output, not a new rendering, so it is cheap enough
    for any read, even inside a write. Nothing is stored: the next edit stores the new
    rendering."""
    if "<img" not in stored_html:  # raw HTML is off: only the renderer writes an <img
        return stored_html

    def relink(tag: re.Match[str]) -> str:
        src, alt = tag.group(1), tag.group(2)  # both escaped by the renderer already
        if OWN_IMAGE.fullmatch(html.unescape(src)):
            return tag.group(0)
        before = stored_html[: tag.start()]
        if before.count("<a href=") > before.count("</a>"):  # links do not nest
            return alt or src
        return f'<a href="{src}">{alt or src}</a>'

    return _IMG_TAG.sub(relink, stored_html)


def options() -> dict[str, object]:
    return dict(_renderer().options)
