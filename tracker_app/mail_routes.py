"""The one-click unsubscribe link of every notification mail (RFC 8058). A GET shows a page
with a button and changes nothing (mail scanners open links); a POST (the mail client's
one-click, or that button) turns the user's mail off. The signed link is the proof."""

from __future__ import annotations

import html

from fastapi import FastAPI
from starlette.responses import HTMLResponse

import services
from services.notify import unsubscribe

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Unsubscribe · Issues &amp; Insights Tracker</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">{body}
</body></html>"""


def install(app: FastAPI) -> None:
    @app.get(unsubscribe.PATH, include_in_schema=False)
    def confirm(t: str = "") -> HTMLResponse:
        try:
            unsubscribe.read(t)
        except services.InvalidInput as e:
            return _page(f"<p>{html.escape(e.message)}</p>", 400)
        action = html.escape(f"{unsubscribe.PATH}?t={t}", quote=True)
        return _page(
            "<h1>Stop notification mails?</h1>"
            "<p>You will still see notifications in the tracker, and can turn mail on again "
            "on your account page.</p>"
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>'
        )

    @app.post(unsubscribe.PATH, include_in_schema=False)
    def one_click(t: str = "") -> HTMLResponse:
        # A plain def: FastAPI runs it on its thread pool, off the event loop.
        try:
            with services.session() as s:
                email = unsubscribe.unsubscribe(s, t)
        except services.InvalidInput as e:
            return _page(f"<p>{html.escape(e.message)}</p>", 400)
        return _page(
            f"<h1>Unsubscribed</h1><p>No more notification mails to {html.escape(email)}.</p>"
            '<p><a href="/account">Your account</a> can turn them on again.</p>'
        )


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=status)
