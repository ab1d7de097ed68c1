"""The shipped proxy configuration (deploy/nginx.conf, templated to free ports the way the
cluster benchmark does) in front of a real `tracker serve`: a client that forges
X-Forwarded-For cannot reset the per-address limits, while each real client address still
counts on its own. And docker-compose.yml trusts the proxy's address only.

Needs nginx (Debian package `nginx`; .ci/run installs it)."""

from __future__ import annotations

import ipaddress
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from ruamel.yaml import YAML

from bench.loadgen import serving
from bench.proxy import nginx_conf
from tests.serverproc import running_server
from tests.workers import free_port

ROOT = Path(__file__).resolve().parents[2]
REGISTER = {"email": "newcomer@example.com", "password": "a long enough passphrase"}
SIGN_UPS_PER_ADDRESS = 10  # services/throttle.py SIGN_UP: per address, per hour


@pytest.fixture(
    params=[
        pytest.param("127.0.0.1", id="trust-the-proxy-address"),
        pytest.param("127.0.0.0/8", id="trust-a-whole-network"),
    ]
)
def behind_nginx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The app, trusting `param` for X-Forwarded-For, behind deploy/nginx.conf; the proxy's
    URL. Sign-up is off: an attempt costs no hashing and still counts towards the limit."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: install Debian's nginx (see .ci/run)")
    app_dir, proxy_dir = tmp_path / "app", tmp_path / "proxy"
    app_dir.mkdir()
    proxy_dir.mkdir()
    with running_server(
        app_dir, TRACKER_ALLOW_SIGNUP="false", TRACKER_FORWARDED_ALLOW_IPS=request.param
    ) as server:
        port = free_port()
        conf = nginx_conf(proxy_dir, port, [str(urlsplit(server.url).netloc)])
        base = f"http://127.0.0.1:{port}"
        command = [nginx, "-p", str(proxy_dir), "-c", str(conf), "-g", "daemon off;"]
        with serving(command, f"{base}/healthz"):
            yield base


def attempts_from(base: str, address: str, count: int) -> list[int]:
    """`count` sign-up attempts from `address`, each with a different forged address."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, timeout=30) as client:
        return [
            client.post(
                "/api/v1/auth/register",
                json=REGISTER,
                headers={"X-Forwarded-For": f"198.51.100.{n}", "X-Real-IP": f"198.51.100.{n}"},
            ).status_code
            for n in range(count)
        ]


def test_a_forged_x_forwarded_for_through_the_proxy_changes_nothing(behind_nginx: str) -> None:
    codes = attempts_from(behind_nginx, "127.0.0.2", SIGN_UPS_PER_ADDRESS + 2)
    assert codes == [403] * SIGN_UPS_PER_ADDRESS + [429, 429]  # 403: sign-up is off
    # The app sees each client's own address through the proxy, not the proxy's: another
    # client is not limited by the first one's attempts.
    assert attempts_from(behind_nginx, "127.0.0.3", 1) == [403]


def test_compose_trusts_only_the_proxy_which_overwrites_the_header() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    sets = re.findall(r"^\s*proxy_set_header\s+X-Forwarded-For\s+(.*);", conf, re.M | re.I)
    assert sets == ["$remote_addr"]  # overwritten with the client's address, never appended
    compose = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["edge"]["ipv4_address"])
    assert services["web"]["environment"]["TRACKER_FORWARDED_ALLOW_IPS"] == str(proxy_address)
    [pool] = compose["networks"]["edge"]["ipam"]["config"]
    assert proxy_address in ipaddress.ip_network(pool["subnet"])
    # The web processes get their addresses from ip_range: none can take the proxy's.
    assert proxy_address not in ipaddress.ip_network(pool["ip_range"])
    assert set(services["web"]["networks"]) == {"default", "edge"}
