"""Hostile text in every field a user controls ends up as text, never as markup."""

from __future__ import annotations

import re

import pytest
from nicegui.testing import User

import services
from tests.factories import make_issue
from tests.pages.conftest import sign_in

EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son\w+\s*=", re.I)
JS_LINK = re.compile(r"""(href|src)\s*=\s*["']?\s*javascript:""", re.I)
PAYLOADS = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{ constructor.constructor('alert(1)')() }}",  # Vue template injection
]


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_payloads_in_titles_names_comments_and_file_names(user: User, db, payload) -> None:
    me = sign_in(user, "MAINTAINER", full_name=payload[:200])
    issue = make_issue(me, title=payload[:200], description=payload)
    with services.session() as s:
        services.comments.add_comment(s, me, issue.id, {"body": payload})
        services.attachments.save_attachment(
            s, me, issue.id, filename=payload + ".txt", content=b"log line\n"
        )
    for path in ("/", f"/issues/{issue.id}", "/dashboard"):
        html = (await user.http_client.get(path)).text
        for raw in ("<script>alert", "<img src=x", "<svg onload"):  # only ever &lt;-escaped
            assert raw not in html, (path, raw)
    await user.open(f"/issues/{issue.id}")
    rendered = [
        e.content
        for e in user.client.elements.values()
        if isinstance(getattr(e, "content", None), str)
    ]  # the Markdown shown as HTML
    for html in rendered:
        assert not EVENT_HANDLER.search(html) and not JS_LINK.search(html), html
