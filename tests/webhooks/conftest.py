"""A real HTTP receiver on loopback, and webhook settings fit for tests (private addresses
allowed, backoff in milliseconds)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import services
from services.webhooks import dispatch, settings

SECRET = "s3cret-for-the-tests-0123456789"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next code of `codes` (the last one repeats)."""

    url: str = ""
    codes: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def answer(self) -> int:
        return self.codes.pop(0) if len(self.codes) > 1 else self.codes[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            box.received.append(Received(dict(self.headers.items()), body))
            code = box.answer()
            self.send_response(code)
            for name, value in box.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks_on(db, monkeypatch) -> Iterator[None]:
    """TRACKER_WEBHOOK_ALLOW_PRIVATE on, quick retries; waits for the pool at the end."""
    monkeypatch.setattr(settings, "allow_private", True)
    monkeypatch.setattr(settings, "backoff_seconds", 0.05)
    monkeypatch.setattr(settings, "max_attempts", 3)
    monkeypatch.setattr(dispatch, "enabled", True)
    yield
    dispatch.wait_idle()


def add_endpoint(admin: services.Actor, url: str, events: list[str] | None = None) -> int:
    with services.session() as s:
        view = services.webhooks.create_endpoint(
            s,
            admin,
            services.webhooks.WebhookCreate(
                url=url, secret=SECRET, events=events or list(services.webhooks.EVENTS)
            ),
        )
    return view.id


def deliveries(admin: services.Actor, endpoint_id: int) -> list[services.webhooks.DeliveryView]:
    with services.session() as s:
        return services.webhooks.list_deliveries(s, admin, endpoint_id)
