"""The one Markdown renderer: no raw HTML, no script links (services/markdown.py)."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from services import markdown

_URL_ATTR = re.compile(r"""\b(?:href|src)\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


def _urls(html: str) -> list[str]:
    return [u.strip().lower() for u in _URL_ATTR.findall(html)]


def test_raw_html_is_off():
    assert markdown.options()["html"] is False


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "<img"),
        ('<a href="javascript:alert(1)">x</a>', "<a "),
        ("<div onclick=alert(1)>hi</div>", "<div"),
        ("<iframe src=//evil.example></iframe>", "<iframe"),
        ("text <b onmouseover=alert(1)>bold</b> text", "<b "),
    ],
)
def test_raw_html_is_escaped(source, forbidden):
    html = markdown.render(source)
    assert forbidden not in html.lower()
    assert "&lt;" in html  # shown as text, not dropped


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "![i](javascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
    ],
)
def test_script_links_do_not_become_links(source):
    html = markdown.render(source)
    for url in _urls(html):
        assert not url.startswith(("javascript:", "vbscript:", "data:text"))
    assert "<a " not in html and "<img" not in html


def test_ordinary_links_and_own_attachment_images_render():
    html = markdown.render("[docs](https://example.com/a?b=1) ![shot](/attachments/12?inline=1)")
    assert '<a href="https://example.com/a?b=1">docs</a>' in html
    assert '<img src="/attachments/12?inline=1" alt="shot">' in html
    assert '<img src="/api/v1/attachments/3" alt="">' in markdown.render(
        "![](/api/v1/attachments/3)"
    )


@pytest.mark.parametrize(
    ("source", "link"),
    [
        ("![](/auth/logout)", '<a href="/auth/logout">/auth/logout</a>'),
        ("![](/rq/requeue/default)", '<a href="/rq/requeue/default">/rq/requeue/default</a>'),
        (
            "![pixel](https://tracker.example/pixel.gif)",
            '<a href="https://tracker.example/pixel.gif">pixel</a>',
        ),
        ("![a *b*](//evil.example/x.png)", '<a href="//evil.example/x.png">a b</a>'),
        ("![x](/attachments/5/../../auth/logout)", '<a href="/attachments/5/../../auth/logout">x'),
        ("![x](/attachments/5?inline=1&next=/auth/logout)", "x</a>"),
        ("![x](/attachments/0)", '<a href="/attachments/0">x</a>'),
        ("![x](/api/v1/issues/1)", '<a href="/api/v1/issues/1">x</a>'),
        ("![x](data:image/png;base64,iVBORw0KGgo=)", '<a href="data:image/png;base64,'),
        ("![r][ref]\n\n[ref]: http://evil.example/r.gif", '<a href="http://evil.example/r.gif">r'),
        ('![<b>"&</b>](http://e.example/q.png)', "&lt;b&gt;&quot;&amp;&lt;/b&gt;</a>"),
    ],
)
def test_other_images_become_plain_links(source, link):
    """An image loads without a click: anything but an own attachment could act (a GET with
    the reader's cookies) or tell a third party who reads the issue."""
    html = markdown.render(source)
    assert "<img" not in html
    assert link in html


def test_an_image_inside_a_link_becomes_its_text():
    html = markdown.render("[![badge](https://ci.example/b.svg)](https://ci.example/build)")
    assert html == '<p><a href="https://ci.example/build">badge</a></p>\n'


def test_stored_html_with_another_image_is_shown_as_the_renderer_now_makes_it():
    """HTML stored by an older version rendered every image as an <img>."""
    for source in [
        'See ![](https://tracker.example/pixel.gif) and ![s](/attachments/4?inline=1) "&"',
        '![a "b" & <c>](http://e.example/x.png?a=1&b=2 "title")',
        "[![badge](https://ci.example/b.svg)](https://ci.example/build) ![](/auth/logout)",
    ]:
        old = MarkdownIt("js-default").enable("table").enable("strikethrough").render(source)
        assert "<img" in old
        assert markdown.shown(old) == markdown.render(source)
    own = markdown.render("![s](/attachments/4?inline=1) plain")
    assert markdown.shown(own) == own  # own images stay images
    assert markdown.shown("<p>no images</p>") == "<p>no images</p>"


def test_emphasis_strong_code_and_strikethrough_render():
    html = markdown.render("*em* **strong** `x < y` ~~gone~~")
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>x &lt; y</code>" in html
    assert "<s>gone</s>" in html


def test_lists_render():
    html = markdown.render("- apple\n- pear\n\n1. one\n2. two\n")
    assert re.search(r"<ul>\s*<li>apple</li>\s*<li>pear</li>\s*</ul>", html)
    assert re.search(r"<ol>\s*<li>one</li>\s*<li>two</li>\s*</ol>", html)


def test_fenced_code_keeps_its_content_escaped():
    html = markdown.render('```python\nprint("<b>hi</b>")\n```\n')
    assert '<pre><code class="language-python">' in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert "<b>" not in html


def test_tables_render():
    html = markdown.render("| name | count |\n|------|------:|\n| bugs | 3 |\n")
    assert "<table>" in html
    assert re.search(r"<th>name</th>", html)
    assert re.search(r"<td>bugs</td>", html)
    assert re.search(r"<td[^>]*>3</td>", html)


def test_plain_text_is_a_paragraph_and_ampersands_are_escaped():
    assert markdown.render("Fish & chips") == "<p>Fish &amp; chips</p>\n"


def test_bracket_bombs_are_rendered_without_link_parsing():
    from services import markdown

    bomb = "[" * 20_000 + "[click](http://example.com)"
    html = markdown.render(bomb)
    assert "href" not in html and "[click](http://example.com)" in html
    normal = "[" * 10 + " [click](http://example.com)"
    assert 'href="http://example.com"' in markdown.render(normal)


def test_deep_nesting_keeps_every_line_and_renders_flat():
    # 150 nested quotes then many lines: markdown-it alone takes seconds and drops the text
    # after its 100th level; the app renders it without quotes and keeps every line.
    bomb = "> " * 150 + "first\n" + "next line\n" * 2000
    html = markdown.render(bomb)
    assert "<blockquote>" not in html
    assert html.count("next line") == 2000 and "first" in html


def test_ordinary_quoting_and_nested_lists_keep_their_structure():
    html = markdown.render("> > > quoted reply\n\n- a\n  - b\n    - c\n")
    assert html.count("<blockquote>") == 3 and html.count("<ul>") == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [("> > - a", 3), ("1. 2) a", 2), ("text > not a quote", 0), ("   > > a", 2), ("-a", 0)],
)
def test_depth_counts_the_containers_a_line_opens(line, expected):
    assert markdown.depth(line) == expected
