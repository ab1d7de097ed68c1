"""Attacks on the HTTP stack itself, through a real `tracker serve` (uvicorn, its proxy
header handling, body parsing, response headers): forged X-Forwarded-For, oversized
bodies, odd request ids, who may read /metrics. tests/deploy/test_behind_nginx.py runs the
address checks again through the shipped nginx configuration."""

from __future__ import annotations

import json
import re
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.serverproc import Server, running_server

EMAIL = "stack@example.com"
PASSWORD = "http stack passphrase 9"
REGISTER = {"email": "newcomer@example.com", "password": "a long enough passphrase"}
SIGN_UPS_PER_ADDRESS = 10  # services/throttle.py SIGN_UP: per address, per hour
TOO_BIG = "The request body is larger than the limit of 256 KB."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Sign-up off: a sign-up attempt then costs no password hashing, yet still counts
    towards the per-address limit, which is what the address tests need."""
    data = tmp_path_factory.mktemp("stack")
    with running_server(data, TRACKER_ALLOW_SIGNUP="false", TRACKER_MAX_UPLOAD_MB="2") as s:
        s.cli("create-user", "--email", EMAIL, "--role", "REPORTER", "--password", PASSWORD)
        yield s


def client_from(server: Server, address: str) -> httpx.Client:
    """A client whose connections come from `address` (any of 127.0.0.0/8 on Linux)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def raw_request(server: Server, head: str | bytes) -> tuple[int, dict[str, str], bytes]:
    """Send only `head` (request line and headers, ending in `Connection: close` and a
    blank line) and read the answer until the server closes the connection."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") if isinstance(head, str) else head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    header_block, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = header_block.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


def token(server: Server) -> str:
    answer = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


# --- Client addresses: only the trusted proxy's X-Forwarded-For counts -------------------


def test_a_forged_x_forwarded_for_does_not_reset_the_per_address_limit(server: Server) -> None:
    """A client that reaches the app directly (not through the trusted proxy) sends a new
    X-Forwarded-For with every attempt: the limit still counts its own address."""
    codes = []
    with client_from(server, "127.0.0.2") as client:
        for n in range(SIGN_UPS_PER_ADDRESS + 2):
            forged = f"198.51.100.{n}, 203.0.113.{n}"
            response = client.post(
                "/api/v1/auth/register",
                json=REGISTER,
                headers={"X-Forwarded-For": forged, "X-Real-IP": forged, "Forwarded": forged},
            )
            codes.append(response.status_code)
    assert codes == [403] * SIGN_UPS_PER_ADDRESS + [429, 429]  # 403: sign-up is off
    with client_from(server, "127.0.0.3") as other:  # another address has its own count
        assert other.post("/api/v1/auth/register", json=REGISTER).status_code == 403


# --- Bodies: small routes take small bodies, uploads keep their limit -------------------------


def test_a_25_mb_body_to_the_token_endpoint_is_refused_before_it_is_read(server: Server) -> None:
    size = 25 * 1024 * 1024
    status, headers, body = raw_request(
        server,
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: tracker\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n",
    )  # the body is never sent: the answer comes from the headers alone
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": TOO_BIG}


def test_a_streamed_body_is_cut_off_at_the_limit(server: Server) -> None:
    """Without a Content-Length (chunked), the body is counted as it arrives."""
    sent = []

    def chunks() -> Iterator[bytes]:
        yield b'{"email": "a@example.com", "password": "'
        for _ in range(400):  # 25 MB, if it were all read
            sent.append(1)
            yield b"x" * 65536

    response = httpx.post(
        f"{server.url}/api/v1/auth/token",
        content=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert response.json() == {"detail": TOO_BIG}


def test_bodies_under_the_limit_and_uploads_above_it_still_work(server: Server) -> None:
    bearer = {"Authorization": f"Bearer {token(server)}"}
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=bearer, timeout=60) as api:
        # The longest description, every character escaped as JSON may (a surrogate pair
        # of 12 bytes each): the largest valid body fits under the default limit.
        description = "\U0001f41b" * 20_000
        payload = json.dumps({"title": "Long", "description": description}, ensure_ascii=True)
        assert len(payload) > 240_000
        created = api.post("/issues", content=payload, headers={"Content-Type": "application/json"})
        assert created.status_code == 201, created.text
        log = b"log line\n" * (150 * 1024)  # 1.4 MB: over the small limit, under the upload's
        uploaded = api.post(
            f"/issues/{created.json()['id']}/attachments",
            files={"file": ("big.log", log, "text/plain")},
        )
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["size"] == len(log)
        too_big = api.post(
            f"/issues/{created.json()['id']}/attachments",
            files={"file": ("huge.log", log * 2, "text/plain")},
        )
        assert too_big.status_code == 413
        assert too_big.json() == {"detail": "The upload is larger than the limit."}


# --- Security headers -------------------------------------------------------------------------

PAGE_RULES = [
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "img-src 'self' data: blob:",
    "default-src 'self'",
    "connect-src 'self'",
]


def directives(response: httpx.Response) -> set[str]:
    return {d.strip() for d in response.headers["content-security-policy"].split(";")}


def test_pages_get_a_policy_that_keeps_them_to_this_site(server: Server) -> None:
    for path in ("/login", "/", "/rq/", "/no-such-page"):
        response = httpx.get(f"{server.url}{path}")
        assert set(PAGE_RULES) <= directives(response), path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"


def test_api_answers_render_nothing_and_are_never_cached(server: Server) -> None:
    bearer = {"Authorization": f"Bearer {token(server)}"}
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as api:
        issued = api.post("/auth/token", json={"email": EMAIL, "password": PASSWORD})
        answers = {
            "token": issued,
            "me": api.get("/me", headers=bearer),
            "list": api.get("/issues", headers=bearer),
            "export": api.get("/issues/export.csv", headers=bearer),
            "refused": api.get("/me"),
        }
        for what, response in answers.items():
            assert directives(response) == {"default-src 'none'", "frame-ancestors 'none'"}, what
            assert response.headers["cache-control"] == "no-store", what
        issue = api.post("/issues", headers=bearer, json={"title": "Headers"}).json()
        stored = api.post(
            f"/issues/{issue['id']}/attachments",
            headers=bearer,
            files={"file": ("a.txt", b"text\n", "text/plain")},
        ).json()
        download = api.get(f"/attachments/{stored['id']}", headers=bearer)
    assert download.headers["cache-control"] == "private, no-store"  # its own, kept
    assert "sandbox" in directives(download)


def test_the_api_docs_keep_their_pages_and_lose_framing_and_plugins(server: Server) -> None:
    """/docs and /redoc are FastAPI's pages, which load Swagger UI and ReDoc from FastAPI's
    CDN: they get the rules that do not break that (README, HTTP API)."""
    for path in ("/docs", "/redoc"):
        response = httpx.get(f"{server.url}{path}")
        assert response.status_code == 200 and "/openapi.json" in response.text
        assert directives(response) == {
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        }


# --- Request ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [b"\xff\xfe\xfd", b"caf\xc3\xa9", b"a b", b'"><script>', b"x" * 65],
    ids=["not-utf8", "non-ascii", "space", "markup", "too-long"],
)
def test_an_odd_request_id_is_replaced_not_a_500(server: Server, given: bytes) -> None:
    status, headers, _ = raw_request(
        server,
        b"GET /healthz HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\nX-Request-ID: "
        + given
        + b"\r\n\r\n",
    )
    assert status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])


def test_a_proxy_request_id_is_kept(server: Server) -> None:
    given = "0f3c9a2b7d1e4f5a8b6c0d9e1f2a3b4c"  # nginx's $request_id
    response = httpx.get(f"{server.url}/healthz", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given


# --- /metrics ---------------------------------------------------------------------------------


def test_metrics_are_for_this_machine_only_without_a_token(server: Server) -> None:
    local = httpx.get(f"{server.url}/metrics")
    assert local.status_code == 200 and "tracker_http_requests_total" in local.text
    # A remote client, as the trusted proxy (here: this machine) reports it.
    remote = httpx.get(f"{server.url}/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert remote.status_code == 403
    assert "TRACKER_METRICS_TOKEN" in remote.json()["detail"]
    assert "tracker_http_requests_total" not in remote.text


def test_metrics_with_a_token_need_it_from_everyone(tmp_path: Path) -> None:
    secret = "metrics-token-for-the-test-0123456789"
    with running_server(tmp_path, TRACKER_METRICS_TOKEN=secret) as server:
        url = f"{server.url}/metrics"
        assert httpx.get(url).status_code == 401  # this machine too
        wrong = httpx.get(url, headers={"Authorization": "Bearer not-it"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        remote = httpx.get(
            url,
            headers={"Authorization": f"Bearer {secret}", "X-Forwarded-For": "203.0.113.7"},
        )
        assert remote.status_code == 200 and "tracker_connected_pages" in remote.text


def test_the_pages_scripts_are_compressed_and_keep_their_headers(server: Server) -> None:
    """NiceGUI's scripts are compressed once and reused (tracker_app/static_gzip.py): a
    second browser gets the same bytes, compressed, with a request id of its own and the
    security headers; a client that does not take gzip gets them as they are. /metrics says
    how many files are kept compressed, and a file asked for again adds none."""
    page = httpx.get(f"{server.url}/login").text
    path = next(p for p in re.findall(r'"(/_nicegui/[^"]+\.js)"', page) if "quasar" in p)
    plain = httpx.get(server.url + path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) > 100_000
    answers = [httpx.get(server.url + path, headers={"Accept-Encoding": "gzip"}) for _ in "ab"]
    for answer in answers:
        assert answer.headers["content-encoding"] == "gzip"
        assert int(answer.headers["content-length"]) < len(plain.content) / 2
        assert answer.content == plain.content
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-type"].startswith("text/javascript")
    first, second = (a.headers["x-request-id"] for a in answers)
    assert first != second
    kept = httpx.get(f"{server.url}/metrics").text  # compressed once, then reused
    assert re.search(r"^tracker_static_files_kept_compressed [1-9]", kept, re.M)
    files = int(re.search(r"^tracker_static_files_kept_compressed (\d+)", kept, re.M)[1])
    again = httpx.get(server.url + path, headers={"Accept-Encoding": "gzip"})
    assert again.content == plain.content
    after = httpx.get(f"{server.url}/metrics").text
    assert f"tracker_static_files_kept_compressed {files}\n" in after


def test_a_script_cut_short_by_browsers_going_away_is_still_whole_for_the_next(
    server: Server,
) -> None:
    """Browsers that ask for Plotly's script (4.5 MB) and go away at once (they navigated
    on) stop the app half-way through the file. The part was kept as the compressed file, and
    every browser after them got a broken script: no chart drew again until a restart."""
    page = httpx.get(f"{server.url}/login").text
    path = re.findall(r'"nicegui-plotly":\s*"([^"]+)"', page)[0]
    address = urlsplit(server.url)
    for _ in range(20):
        browser = socket.create_connection((address.hostname, address.port))
        browser.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n".encode())
        browser.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        browser.close()  # at once, with a reset
    plain = httpx.get(server.url + path, headers={"Accept-Encoding": "identity"}, timeout=30)
    packed = httpx.get(server.url + path, headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert packed.headers["content-encoding"] == "gzip"
    assert len(plain.content) > 1_000_000 and packed.content == plain.content


def _gauge(server: Server, name: str) -> int:
    text = httpx.get(f"{server.url}/metrics").text
    return int(re.search(rf"^{name} (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]


def test_pages_nobody_connects_to_do_not_pile_up(tmp_path: Path) -> None:
    """A crawler or `curl` gets a page whose browser never connects: NiceGUI would keep it
    60-70 s, its outbox polling ten times a second. It goes after
    TRACKER_PAGE_CONNECT_SECONDS (pages/waiting.py)."""
    with running_server(tmp_path, TRACKER_PAGE_CONNECT_SECONDS="2") as server:
        for _ in range(3):
            assert httpx.get(f"{server.url}/login").status_code == 200
        assert _gauge(server, "tracker_waiting_pages") == 3
        deadline = time.monotonic() + 15
        while _gauge(server, "tracker_waiting_pages") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _gauge(server, "tracker_waiting_pages") == 0
        assert httpx.get(f"{server.url}/login").status_code == 200  # new ones are still served
        assert _gauge(server, "tracker_waiting_pages") == 1
