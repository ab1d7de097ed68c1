"""Facts about an HTTP request that pages and the API both need: where it came from."""

from __future__ import annotations

from starlette.requests import Request


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind the proxy: the proxy's own
    hop, as uvicorn's trusted forwarded headers set it)."""
    return request.client.host if request.client else "unknown"


def same_site(request: Request) -> bool:
    """Origin (or Sec-Fetch-Site) says the request comes from a page of this site."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    return bool(origin) and origin in own_origins(request)


def own_origins(request: Request) -> set[str]:
    """This site's origin, scheme included (http://host is another origin than https://host),
    as the websocket's same-origin check (engine.io) computes it, proxy headers included."""
    scheme, host = request.url.scheme, request.headers.get("host", "")
    origins = {f"{scheme}://{host}"}
    forwarded_proto = request.headers.get("x-forwarded-proto")
    forwarded_host = request.headers.get("x-forwarded-host")
    if forwarded_proto or forwarded_host:
        proto = (forwarded_proto or scheme).split(",")[0].strip()
        origins.add(f"{proto}://{(forwarded_host or host).split(',')[0].strip()}")
    return origins
