"""Security headers on every response, by kind of response.

- Pages (and everything else): a Content-Security-Policy under which a page loads scripts,
  styles, images, fonts and connections from this site only, embeds no plugin, cannot be
  framed, re-based or made to submit a form elsewhere. NiceGUI needs inline scripts and
  styles and Vue's template compiler (`'unsafe-eval'`); user text never reaches those
  (Markdown is rendered without raw HTML, services/markdown.py), and the image rule keeps
  a planted image from calling anyone. Checked in Chromium, two more image sources are
  needed, and neither can call anyone: `data:` (Plotly probes the browser's WebP support
  with one) and `blob:` (the upload element previews a chosen file through one).
- The API (`/api/`): nothing in it is meant to render (`default-src 'none'`) and no answer
  (a token, an issue, a user list) may be kept by a cache (`no-store`).
- /docs and /redoc: FastAPI's pages load Swagger UI and ReDoc from its CDN, so they get
  the framing, plugin and form rules but not the same-site source lists.

A response that sets one of these headers itself (attachments send their own sandbox
CSP and Cache-Control) keeps its own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCKDOWN = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; "
    f"connect-src 'self'; {LOCKDOWN}"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
DOCS_PATHS = ("/docs", "/redoc")


def policy(*, production: bool) -> list[tuple[str, dict[str, str]]]:
    """(path prefix, headers) rules, most specific first; "" matches every path."""
    common = dict(COMMON)
    if production:  # browsers ignore HSTS over plain HTTP; behind TLS it counts
        common["Strict-Transport-Security"] = "max-age=31536000"
    return [
        ("/api/", {**common, "Content-Security-Policy": API_CSP, "Cache-Control": "no-store"}),
        *((path, {**common, "Content-Security-Policy": LOCKDOWN}) for path in DOCS_PATHS),
        ("", {**common, "Content-Security-Policy": PAGE_CSP}),
    ]


class SecurityHeaders:
    """Add the headers of the first rule whose prefix the path starts with to every HTTP
    response, except those the response sets itself."""

    def __init__(self, app: ASGIApp, *, rules: list[tuple[str, dict[str, str]]]) -> None:
        self.app = app
        self.rules = [
            (prefix, [(k.lower().encode(), v.encode()) for k, v in headers.items()])
            for prefix, headers in rules
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = next((h for prefix, h in self.rules if scope["path"].startswith(prefix)), [])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
