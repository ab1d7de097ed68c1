"""Signing and sending one webhook request, refusing addresses inside the network (SSRF).

Pure of the database: `sign` is what receivers re-compute, `post` resolves the host, refuses
loopback, private, link-local, metadata and other non-public addresses (unless allowed),
connects to the address it checked (no second lookup a rebinding DNS could answer
differently) and never follows a redirect.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

SIGNATURE_HEADER = "X-Tracker-Signature-256"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
EVENT_HEADER = "X-Tracker-Event"
DELIVERY_HEADER = "X-Tracker-Delivery"
USER_AGENT = "Issues-Insights-Tracker-Webhooks/1"
TIMEOUT_SECONDS = 10.0

# Cloud metadata services that are not in a private or link-local range.
METADATA = {
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}


class Refused(Exception):
    """The URL may not be called (its address is inside the network, or it is malformed)."""


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no answer (refused, timed out, connection failed)
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, timestamp + "." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and the tests): compare in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL without credentials, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise Refused(f"not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("the URL must start with http:// or https:// and name a host")
    if parts.username or parts.password:
        raise Refused("the URL must not carry a user name or password")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def refused_address(address: str) -> bool:
    """True for every address that is not plainly on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip in METADATA
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to: the first the host resolves to, if none is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise Refused(f"the host could not be resolved ({e.__class__.__name__})") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Refused("the host has no address")
    if not allow_private and any(refused_address(a) for a in addresses):
        raise Refused("the host resolves to a loopback, private or link-local address")
    return addresses[0]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool = False,
    timeout: float = TIMEOUT_SECONDS,
) -> Answer:
    """POST `body` to `url`, pinned to the checked address; never raises."""
    import httpx

    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        scheme, host, port = check_url(url)
        address = resolve(host, port, allow_private=allow_private)
    except Refused as e:
        return Answer(None, took(), f"refused: {e}")
    parts = urlsplit(url)
    literal = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST",
                pinned,
                content=body,
                headers={**headers, "Host": host_header},
                extensions={"sni_hostname": host},
            )
            # Only the status counts: the answer's body is never read (nor waited for).
            response = client.send(request, stream=True)
            response.close()
    except httpx.HTTPError as e:
        return Answer(None, took(), f"{type(e).__name__}: no answer")
    code = response.status_code
    error = ""
    if 300 <= code < 400:
        error = "redirects are not followed"
    elif not 200 <= code < 300:
        error = f"answered {code}"
    return Answer(code, took(), error)
