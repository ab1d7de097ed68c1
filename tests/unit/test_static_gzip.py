"""NiceGUI's versioned scripts are compressed once and the compressed bytes reused; each
answer keeps its own headers; everything else is compressed per request as before."""

from __future__ import annotations

import gzip
import itertools

import pytest
from nicegui import __version__
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tracker_app import static_gzip
from tracker_app.static_gzip import StaticGzip

SCRIPT = ("console.log('tracker');\n" * 400).encode()
STATIC = f"/_nicegui/{__version__}/static"
counter = itertools.count()


def _script(request: Request) -> Response:
    n = next(counter)  # what differs per answer: a cookie and a request id
    return Response(
        SCRIPT,
        media_type="text/javascript",
        headers={
            "etag": '"v1"',
            "set-cookie": f"session=s{n}",
            "x-request-id": f"r{n}",
        },
    )


def _font(request: Request) -> Response:
    return Response(bytes(range(256)) * 10, media_type="font/woff2", headers={"etag": '"f"'})


def _big(request: Request) -> Response:
    body = SCRIPT * 30  # over Starlette's 128 KiB: compressed in a worker thread
    return Response(body, media_type="text/javascript", headers={"etag": '"b"'})


def _untagged(request: Request) -> Response:
    return Response(SCRIPT, media_type="text/javascript")  # no ETag: nothing to key it by


def _page(request: Request) -> Response:
    return PlainTextResponse("a page " * 200)


def _missing(request: Request) -> Response:
    return PlainTextResponse("not found " * 100, status_code=404, headers={"etag": '"x"'})


@pytest.fixture
def client() -> TestClient:
    app = Starlette(
        routes=[
            Route(f"{STATIC}/app.js", _script),
            Route(f"{STATIC}/font.woff2", _font),
            Route(f"{STATIC}/missing.js", _missing),
            Route(f"{STATIC}/untagged.js", _untagged),
            Route(f"{STATIC}/big.js", _big),
            Route("/_nicegui/0.0.1/static/app.js", _script),
            Route("/issues", _page),
        ]
    )
    return TestClient(StaticGzip(app))


def test_a_script_is_compressed_once_and_each_answer_keeps_its_own_headers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = gzip.compress

    def counted(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(static_gzip.gzip, "compress", counted)
    path = f"{STATIC}/app.js"
    first = client.get(path, headers={"Accept-Encoding": "gzip"})
    second = client.get(path, headers={"Accept-Encoding": "gzip"})
    for answer in (first, second):
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.content == SCRIPT  # httpx decompressed it
        assert "Accept-Encoding" in answer.headers["vary"]
        assert int(answer.headers["content-length"]) < len(SCRIPT) / 10
    assert len(calls) == 1
    assert first.headers["set-cookie"] != second.headers["set-cookie"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_what_is_not_cached_is_answered_as_before(client: TestClient) -> None:
    path = f"{STATIC}/app.js"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == SCRIPT
    font = client.get(f"{STATIC}/font.woff2", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in font.headers and font.content == bytes(range(256)) * 10
    missing = client.get(f"{STATIC}/missing.js", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and missing.text.startswith("not found")
    for path in (f"{STATIC}/untagged.js", "/_nicegui/0.0.1/static/app.js"):
        answer = client.get(path, headers={"Accept-Encoding": "gzip"})  # no ETag, or not
        assert answer.headers["content-encoding"] == "gzip"  # this version's: per request
        assert answer.content == SCRIPT
    page = client.get("/issues", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and page.text == "a page " * 200
    assert client.app.cache.keys() == set()  # type: ignore[attr-defined]


def test_the_cache_is_bounded(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(static_gzip, "MAX_CACHED_BYTES", 10)
    answer = client.get(f"{STATIC}/app.js", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip" and answer.content == SCRIPT
    assert client.app.cache == {}  # type: ignore[attr-defined]


def test_a_large_script_is_compressed_off_the_event_loop_and_kept(client: TestClient) -> None:
    for _ in range(2):
        answer = client.get(f"{STATIC}/big.js", headers={"Accept-Encoding": "gzip"})
        assert answer.headers["content-encoding"] == "gzip" and answer.content == SCRIPT * 30
    assert list(client.app.cache) == [(f"{STATIC}/big.js", '"b"')]  # type: ignore[attr-defined]


def test_a_file_cut_short_by_a_browser_going_away_is_not_kept() -> None:
    """A browser that navigates on while a script is still coming (Plotly: 4.5 MB) makes the
    app stop streaming it. The part sent was kept as the whole file, and every later browser
    got a broken script: the charts never drew."""
    import asyncio

    calls = itertools.count()

    async def app(scope: dict, receive: object, send: object) -> None:
        headers = [(b"content-type", b"text/javascript"), (b"etag", b'"p"')]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if next(calls) == 0:  # the first browser goes away after the first chunk
            await send({"type": "http.response.body", "body": SCRIPT[:1000], "more_body": True})
            return
        await send({"type": "http.response.body", "body": SCRIPT[:1000], "more_body": True})
        await send({"type": "http.response.body", "body": SCRIPT[1000:], "more_body": False})

    async def get(middleware: StaticGzip) -> list[dict]:
        scope = {
            "type": "http",
            "method": "GET",
            "path": f"{STATIC}/plotly.js",
            "headers": [(b"accept-encoding", b"gzip")],
        }
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        async def receive() -> dict:
            return {"type": "http.disconnect"}

        await middleware(scope, receive, send)
        return sent

    middleware = StaticGzip(app)  # type: ignore[arg-type]
    assert asyncio.run(get(middleware)) == []  # nobody to answer, and nothing kept
    assert middleware.cache == {}
    for _ in range(2):  # the next browsers get the whole file, the second from the cache
        start, body = asyncio.run(get(middleware))
        assert start["status"] == 200
        assert gzip.decompress(body["body"]) == SCRIPT
    assert list(middleware.cache) == [(f"{STATIC}/plotly.js", '"p"')]
