"""Observability: a request id and a JSON log line (method, path, status, duration, user)
for every request, /readyz, and a small Prometheus-style /metrics (for loopback clients, or
for whoever has TRACKER_METRICS_TOKEN)."""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import time
import uuid
from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("tracker.request")
_requests: Counter[str] = Counter()
_seconds = {"sum": 0.0, "count": 0}
SKIP_PREFIXES = ("/_nicegui/", "/static/")  # assets and websocket polling: too chatty
# A request id we keep (nginx's $request_id is 32 hex digits); anything else, such as bytes
# that are not UTF-8 or text that would garble a log line, is replaced by a fresh one.
REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `extra` fields."""

    RESERVED = frozenset(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    """Log to stderr in the chosen format, unless logging is already set up (as under a
    test runner) — like logging.basicConfig."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
        JsonFormatter.converter = time.gmtime
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


class RequestLog:
    """Give every request an id (or keep the proxy's X-Request-ID), return it in the
    response, and log one line with the outcome. Handlers put the user id in
    `scope["state"]["user_id"]` once they know it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"")
        request_id = given.decode() if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            _requests[f"{status // 100}xx"] += 1
            _seconds["sum"] += elapsed
            _seconds["count"] += 1
            if not scope["path"].startswith(SKIP_PREFIXES):
                log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round(elapsed * 1000, 1),
                        "user_id": scope["state"].get("user_id"),
                    },
                )


def metrics_text(extra: dict[str, float]) -> str:
    """The Prometheus text format, for a handful of numbers."""
    lines = ["# TYPE tracker_http_requests_total counter"]
    lines += [
        f'tracker_http_requests_total{{status="{k}"}} {v}' for k, v in sorted(_requests.items())
    ]
    lines += [
        "# TYPE tracker_http_request_duration_seconds summary",
        f"tracker_http_request_duration_seconds_sum {_seconds['sum']:.6f}",
        f"tracker_http_request_duration_seconds_count {_seconds['count']}",
    ]
    for name, value in sorted(extra.items()):
        lines += [f"# TYPE {name} gauge", f"{name} {value}"]
    return "\n".join(lines) + "\n"


def metrics_refusal(request: Request, token: str | None) -> JSONResponse | None:
    """None when the caller may read /metrics: with TRACKER_METRICS_TOKEN set, whoever sends
    it as a bearer token; without one, only this machine (the connection's address, after
    a trusted proxy's X-Forwarded-For)."""
    if token:
        sent = request.headers.get("authorization", "").encode()
        if hmac.compare_digest(sent, f"Bearer {token}".encode()):
            return None
        return JSONResponse(
            {"detail": "Send the metrics token: Authorization: Bearer <TRACKER_METRICS_TOKEN>."},
            401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if _loopback(request.client.host if request.client else ""):
        return None
    return JSONResponse(
        {"detail": "Metrics are for this machine only; set TRACKER_METRICS_TOKEN to scrape."},
        403,
    )


def _loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return bool((mapped or address).is_loopback)
