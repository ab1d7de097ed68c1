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
import weakref
from functools import partial
from typing import Any

import anyio.to_thread
from nicegui import __version__ as nicegui_version
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# NiceGUI's versioned files: the same bytes until NiceGUI is upgraded (NiceGUI marks them
# immutable in a middleware outside this one, so the mark is not seen here).
PREFIX = f"/_nicegui/{nicegui_version}/"
MIN_BYTES = 500  # smaller files are sent as they are (as GZipMiddleware does)
MAX_CACHED_BYTES = 32 * 1024 * 1024  # the compressed files kept; past it, compressed per request
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
# Starlette's own exclusions (text/event-stream among them) still apply.


class StaticGzip(GZipMiddleware):
    """In the place of NiceGUI's GZipMiddleware (ui.run's `gzip_middleware_factory`): other
    paths are compressed per request as before."""

    instances: weakref.WeakSet[StaticGzip] = weakref.WeakSet()

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.cache: dict[tuple[str, str], bytes] = {}
        self.cached_bytes = 0
        StaticGzip.instances.add(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _cacheable_request(scope):
            await super().__call__(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []
        key: tuple[str, str] | None = None  # (path, ETag) of a complete answer
        ended = False  # the app sent its last body message

        async def capture(message: Message) -> None:
            nonlocal key, ended
            if message["type"] == "http.response.start":
                start.update(message)
                etag = Headers(raw=message["headers"]).get("etag")
                if message["status"] == 200 and etag is not None:
                    key = (scope["path"], etag)
            elif message["type"] == "http.response.body":
                ended = not message.get("more_body", False)
                if key not in self.cache:
                    body.append(message.get("body", b""))  # kept only while not compressed yet

        await self.app(scope, receive, capture)
        if not start or not ended:
            # The browser went away before the whole file was sent (it navigated on): the
            # app stopped streaming, and the part it sent is no file to keep or to answer.
            return
        headers = MutableHeaders(raw=list(start["headers"]))
        packed = self.cache.get(key) if key is not None else None
        if packed is None:
            data = b"".join(body)
            if not self._compressible(headers, len(data)):
                await _send(send, start, data)
                return
            packed = await self._compress(data)
            fits = self.cached_bytes + len(packed) <= MAX_CACHED_BYTES
            if key is not None and key not in self.cache and fits:  # two first requests
                self.cache[key] = packed
                self.cached_bytes += len(packed)
        headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(packed))
        headers.add_vary_header("Accept-Encoding")
        await _send(send, {**start, "headers": headers.raw}, packed)

    def _compressible(self, headers: MutableHeaders, size: int) -> bool:
        kind = headers.get("content-type", "")
        return (
            size >= MIN_BYTES
            and "content-encoding" not in headers
            and kind.startswith(COMPRESSIBLE)
            and not kind.startswith(self.exclude_content_types)
        )

    async def _compress(self, data: bytes) -> bytes:
        """Large files (Plotly: 4.5 MB) in a worker thread, as Starlette does, not on the
        event loop that serves every open page."""
        pack = partial(gzip.compress, data, compresslevel=self.compresslevel, mtime=0)
        if len(data) < self.thread_minimum_size:
            return pack()
        return await anyio.to_thread.run_sync(pack)


def kept() -> dict[str, float]:
    """For /metrics: how many files this process keeps compressed, and their bytes."""
    every = list(StaticGzip.instances)
    return {
        "tracker_static_files_kept_compressed": sum(len(i.cache) for i in every),
        "tracker_static_bytes_kept_compressed": sum(i.cached_bytes for i in every),
    }


def _cacheable_request(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not scope["path"].startswith(PREFIX):
        return False
    request = Headers(scope=scope)
    return "gzip" in request.get("accept-encoding", "") and "range" not in request


async def _send(send: Send, start: dict[str, Any], data: bytes) -> None:
    await send(start)
    await send({"type": "http.response.body", "body": data, "more_body": False})
