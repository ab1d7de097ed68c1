"""Gzip for the web process, with NiceGUI's own scripts and styles compressed once.

Starlette's GZipMiddleware (NiceGUI's default) compresses every response as it goes out.
NiceGUI's versioned files under `/_nicegui/<version>/` (Vue, Quasar, Plotly: ~3 MB) are the
same bytes for the life of the process, yet compressing them again cost the server 60-250 ms
of CPU per new browser, several times what the page itself costs. Here each is compressed on
its first request and the compressed bytes are kept (by path and ETag); every request still
runs through the whole app, so each answer keeps its own headers (session cookie, request id,
security headers), and the file it streams is dropped as it comes once its bytes are kept.
"""

from __future__ import annotations

import gzip
from typing import Any

from nicegui import __version__ as nicegui_version
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = f"/_nicegui/{nicegui_version}/"  # NiceGUI's versioned files, marked immutable
MIN_BYTES = 500  # smaller files are sent as they are (as GZipMiddleware does)
MAX_CACHED_BYTES = 32 * 1024 * 1024  # the compressed files kept; past it, compressed per request
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


class StaticGzip(GZipMiddleware):
    """In the place of NiceGUI's GZipMiddleware (ui.run's `gzip_middleware_factory`): other
    paths are compressed per request as before."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.cache: dict[tuple[str, str], bytes] = {}
        self.cached_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _cacheable_request(scope):
            await super().__call__(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []
        key: tuple[str, str] | None = None  # (path, ETag) of a complete answer

        async def capture(message: Message) -> None:
            nonlocal key
            if message["type"] == "http.response.start":
                start.update(message)
                answer = Headers(raw=message["headers"])
                etag = answer.get("etag")
                immutable = "immutable" in answer.get("cache-control", "")
                if message["status"] == 200 and etag is not None and immutable:
                    key = (scope["path"], etag)
            elif message["type"] == "http.response.body" and key not in self.cache:
                body.append(message.get("body", b""))  # kept only while not compressed yet

        await self.app(scope, receive, capture)
        if not start:
            return  # the app sent nothing (a disconnect): nothing to answer
        headers = MutableHeaders(raw=list(start["headers"]))
        packed = self.cache.get(key) if key is not None else None
        if packed is None:
            data = b"".join(body)
            if not _compressible(headers, len(data)):
                await _send(send, start, data)
                return
            packed = gzip.compress(data, compresslevel=self.compresslevel, mtime=0)
            if key is not None and self.cached_bytes + len(packed) <= MAX_CACHED_BYTES:
                self.cache[key] = packed
                self.cached_bytes += len(packed)
        headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(packed))
        headers.add_vary_header("Accept-Encoding")
        await _send(send, {**start, "headers": headers.raw}, packed)


def _cacheable_request(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not scope["path"].startswith(PREFIX):
        return False
    request = Headers(scope=scope)
    return "gzip" in request.get("accept-encoding", "") and "range" not in request


def _compressible(headers: MutableHeaders, size: int) -> bool:
    kind = headers.get("content-type", "")
    return (
        size >= MIN_BYTES
        and "content-encoding" not in headers
        and kind.startswith(COMPRESSIBLE)
        and "text/event-stream" not in kind
    )


async def _send(send: Send, start: dict[str, Any], data: bytes) -> None:
    await send(start)
    await send({"type": "http.response.body", "body": data, "more_body": False})
