"""The file drop zone used on the new-issue form and the issue page. The browser refuses a
file before uploading it when its type, size or count is wrong, and says which of them; the
server checks all of it again (the browser's limits are only hints). Types, sizes and counts
come from the upload policy in services (services.uploads), never from here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from fastapi import HTTPException, Request
from nicegui import app, events, ui
from nicegui.client import Client
from nicegui.elements import upload as upload_element
from nicegui.elements.upload_files import FileUpload, create_file_upload
from starlette.datastructures import UploadFile

import services

from .components import human_size

CHUNK = 256 * 1024
# Quasar tells which check refused each file; the browser sends back only these fields.
_REJECTED_JS = (
    "(entries) => emit(entries.map(e => "
    "({name: e.file.name, size: e.file.size, reason: e.failedPropValidation})))"
)


ROUTE = "/_tracker/upload/{client_id}/{element_id}"  # every drop zone's files come here


class DropZone(ui.upload, component="drop_zone.js"):
    """ui.upload whose file input is named from the moment it is drawn (drop_zone.js), and
    whose files go to one route for every drop zone (`register`). NiceGUI's upload element
    adds a FastAPI route of its own for each element: ~1.3 ms of every page view with a drop
    zone (FastAPI reads the endpoint's signature), kept for as long as the page is open, and
    FastAPI's caches of endpoints kept deleted elements, and so their pages, alive."""

    def __init__(self, **kwargs: Any) -> None:
        with _no_route_of_its_own():
            super().__init__(**kwargs)
        self._props["url"] = ROUTE.format(client_id=self.client.id, element_id=self.id)

    def _handle_delete(self) -> None:
        with _no_route_of_its_own():
            super()._handle_delete()


class _NoRoute:
    """NiceGUI's app as ui.upload sees it while a drop zone is made or deleted."""

    @staticmethod
    def post(*_args: Any, **_kwargs: Any) -> Callable[[Any], Any]:
        return lambda endpoint: endpoint

    @staticmethod
    def remove_route(_path: str) -> None:
        return None


@contextmanager
def _no_route_of_its_own() -> Iterator[None]:
    """ui.upload adds and removes its route through its module's `app`: for that moment (on
    the event loop, nothing else runs in between), a stand-in that adds none."""
    real = upload_element.app
    upload_element.app = _NoRoute()  # type: ignore[assignment]
    try:
        yield
    finally:
        upload_element.app = real


def register() -> None:
    """The one route that takes the files of every drop zone, found by its page's client
    and its own id (both in the page only: the client's id is random)."""
    if any(getattr(route, "path", None) == ROUTE for route in app.routes):
        return

    @app.post(ROUTE, include_in_schema=False)
    async def drop_zone_files(request: Request, client_id: str, element_id: int) -> dict[str, str]:
        client = Client.instances.get(client_id)
        zone = client.elements.get(element_id) if client is not None else None
        if not isinstance(zone, DropZone):
            raise HTTPException(status_code=404, detail="No such upload.")
        if zone.is_ignoring_events:
            raise HTTPException(status_code=403, detail="Upload is disabled or hidden.")
        async with request.form() as form:
            files = [
                await create_file_upload(part)
                for part in form.values()
                if isinstance(part, UploadFile)
            ]
        await zone.handle_uploads(files)
        return {"upload": "success"}


def file_drop(
    label: str,
    on_upload: Callable[[events.UploadEventArguments], Awaitable[None]],
    *,
    max_files: int = 0,
) -> ui.upload:
    """A multi-file drop zone that uploads at once and explains every refusal."""
    policy = services.uploads.policy()
    uploader = DropZone(
        label=label,
        multiple=True,
        auto_upload=True,
        max_files=max_files or None,
        max_file_size=policy.max_file_bytes,
        on_upload=on_upload,
    ).props(f'accept="{policy.accept}"')
    uploader.on(
        "rejected",
        lambda e: notify_rejected(e.args, max_files=max_files),
        js_handler=_REJECTED_JS,
    )
    return uploader


def limits_hint() -> str:
    """What the drop zone takes, in words: types and size per file."""
    policy = services.uploads.policy()
    return f"{policy.types_hint}; up to {human_size(policy.max_file_bytes)} each"


def notify_rejected(entries: Any, *, max_files: int) -> None:
    """One message per refused file, naming the real reason."""
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            ui.notify(rejection(entry, max_files=max_files), type="warning")


def rejection(entry: dict[str, Any], *, max_files: int) -> str:
    policy = services.uploads.policy()
    name = str(entry.get("name") or "A file")
    reason = entry.get("reason")
    if reason == "accept":
        return f"{name}: this type of file is not accepted. Allowed: {policy.types_hint}."
    if reason == "max-file-size":
        size = entry.get("size")
        actual = f" is {human_size(size)}," if isinstance(size, int) else ""
        limit = human_size(policy.max_file_bytes)
        return f"{name}{actual} over the limit of {limit} per file."
    if reason == "max-files":
        return f"{name}: at most {max_files} files per issue."
    return f"{name} was not accepted."


def blocking_chunks(upload: FileUpload) -> Iterator[bytes]:
    """The upload's bytes for a service running in a worker thread (Viewer.call), each
    chunk read on the event loop: a file is never held in memory whole. Call this on the
    event loop; iterate it in the worker."""
    loop = asyncio.get_running_loop()
    # Both of NiceGUI's uploads (in memory, in a temporary file) iterate with a generator.
    chunks = cast(AsyncGenerator[bytes, None], upload.iterate(chunk_size=CHUNK))

    async def next_chunk() -> bytes | None:
        return await anext(chunks, None)

    def read() -> Iterator[bytes]:
        try:
            while True:
                chunk = asyncio.run_coroutine_threadsafe(next_chunk(), loop).result()
                if chunk is None:
                    return
                yield chunk
        finally:  # also when refused early: close the upload's file (never wait for it here)
            asyncio.run_coroutine_threadsafe(chunks.aclose(), loop)

    return read()
