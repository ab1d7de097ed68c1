"""Request body limits, an ASGI middleware: the browser's max_file_size is only a hint,
and a JSON endpoint must not parse megabytes on the event loop for anyone who asks, so the
server refuses oversized bodies itself, by Content-Length before reading and while
streaming."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Upload routes (`uploads` matches their whole path) take up to `upload_limit()` bytes
    (asked per request: it reads the upload policy the services run with), paths under
    `exempt` are left to their own limit (engine.io caps its messages), every other request
    `limit` bytes; a bigger body gets 413 and is not read any further."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        upload_limit: Callable[[], int],
        uploads: re.Pattern[str],
        exempt: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.uploads = uploads
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        if self.uploads.fullmatch(scope["path"]):
            limit, refusal = self.upload_limit(), "The upload is larger than the limit."
        else:
            limit = self.limit
            refusal = f"The request body is larger than the limit of {_size(limit)}."
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(send, refusal)
            return
        received = 0
        started = refused = False

        async def limited_receive() -> Message:
            # Over the limit: answer 413 now and tell the app that the client went away
            # (an exception would be turned into a 400 by the app's body parsing).
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _refuse(send, refusal)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:  # whatever the app answers to a body it never got
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, tracking_send)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit % (1024 * 1024) == 0 else f"{limit // 1024} KB"


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
