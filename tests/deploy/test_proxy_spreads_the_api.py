"""The shipped proxy sites (deploy/nginx.conf for compose, deploy/nginx-local.conf for one
machine, templated to free ports) in front of a real `tracker serve --workers 2`: the API
is spread over both processes, pages stay on one per client address, the per-address
sign-up limit still counts every attempt of an address in one place, and a change made
through the proxy reaches a page opened through it.

Which process answered is read from each process's own /metrics (its requests by status
class): the probes are chosen so that each class counts one kind only — the API without a
token answers 401, a page without a session redirects (303), /metrics itself answers 200.
Needs nginx (Debian package `nginx`; .ci/run installs it)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

import services
from bench.proxy import COMPOSE_SITE, LOCAL_SITE, nginx
from tests.deploy.live import created_issue_reaches_page
from tests.serverproc import Server, running_server
from tests.workers import free_port

PROBES = 20
SIGN_UPS_PER_ADDRESS = 10  # services/throttle.py SIGN_UP: per address, per hour
PASSWORD = "proxy spread passphrase"
EMAIL = "pat@example.com"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two web processes on SQLite, sign-up off (an attempt is refused cheaply, and still
    counts towards the per-address limit)."""
    data = tmp_path_factory.mktemp("app")
    with running_server(data, workers=2, TRACKER_ALLOW_SIGNUP="false") as server:
        server.cli("create-user", "--email", EMAIL, "--role", "ADMIN", "--password", PASSWORD)
        yield server


@dataclass(frozen=True)
class Proxy:
    base: str
    network: int  # its clients come from 127.0.<network>.x: each site run has its own

    def client(self, host: int) -> httpx.Client:
        address = f"127.0.{self.network}.{host}"
        return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


@pytest.fixture(params=[COMPOSE_SITE, LOCAL_SITE], ids=lambda p: p.name)
def proxy(request: pytest.FixtureRequest, app: Server, tmp_path: Path) -> Iterator[Proxy]:
    upstreams = [urlsplit(url).netloc for url in app.urls]
    with nginx(tmp_path, free_port(), upstreams, source=request.param) as base:
        yield Proxy(base, 1 + [COMPOSE_SITE, LOCAL_SITE].index(request.param))


def answered(server: Server, status_class: str) -> list[int]:
    """How many requests of `status_class` (`2xx`, ...) each process has answered."""
    counts = []
    for url in server.urls:
        text = httpx.get(f"{url}/metrics").text
        found = re.search(
            rf'^tracker_http_requests_total{{status="{status_class}"}} (\d+)$', text, re.M
        )
        counts.append(int(found.group(1)) if found else 0)
    return counts


def test_the_api_is_spread_and_pages_stay_on_one_process(app: Server, proxy: Proxy) -> None:
    api_before, pages_before = answered(app, "4xx"), answered(app, "3xx")
    with proxy.client(2) as client:
        for _ in range(PROBES):
            assert client.get(f"{proxy.base}/api/v1/me").status_code == 401
            assert client.get(f"{proxy.base}/", follow_redirects=False).status_code == 303
    api = [a - b for a, b in zip(answered(app, "4xx"), api_before, strict=True)]
    pages = [a - b for a, b in zip(answered(app, "3xx"), pages_before, strict=True)]
    assert sum(api) == PROBES and all(api), api  # each process answered some
    assert sorted(pages) == [0, PROBES], pages  # one process answered all


def test_sign_ups_from_one_address_are_counted_together(proxy: Proxy) -> None:
    """The API's sign-up is limited per address in the process that answers it: the proxy
    keeps an address on one process there, so two processes do not double the limit."""
    with proxy.client(3) as client:
        codes = [
            client.post(
                f"{proxy.base}/api/v1/auth/register",
                json={"email": "someone@example.com", "password": "a long enough passphrase"},
            ).status_code
            for _ in range(SIGN_UPS_PER_ADDRESS + 2)
        ]
    assert codes == [403] * SIGN_UPS_PER_ADDRESS + [429, 429]  # 403: sign-up is off


def test_a_change_through_the_proxy_reaches_a_page_opened_through_it(
    app: Server, proxy: Proxy
) -> None:
    with proxy.client(4) as client:
        token = client.post(
            f"{proxy.base}/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}
        ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    services.connect(f"sqlite:///{app.data_dir / 'tracker.db'}", upload_dir=app.data_dir)
    try:
        with services.session() as s:
            cookie, _ = services.auth.login(s, EMAIL, PASSWORD)
    finally:
        services.runtime().engine.dispose()
    # Twice: the API's requests take turns, so one of the two changes is made by the
    # process that does not hold the page.
    page_from = f"127.0.{proxy.network}.5"
    for _ in range(2):
        asyncio.run(created_issue_reaches_page(proxy.base, proxy.base, cookie, headers, page_from))
