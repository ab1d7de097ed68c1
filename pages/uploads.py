"""The file drop zone used on the new-issue form and the issue page. The browser refuses a
file before uploading it when its type, size or count is wrong, and says which of them; the
server checks all of it again (the browser's limits are only hints). Types, sizes and counts
come from the upload policy in services (services.uploads), never from here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from typing import Any, cast

from nicegui import events, ui
from nicegui.elements.upload_files import FileUpload

import services

from .components import human_size

CHUNK = 256 * 1024
# Quasar tells which check refused each file; the browser sends back only these fields.
_REJECTED_JS = (
    "(entries) => emit(entries.map(e => "
    "({name: e.file.name, size: e.file.size, reason: e.failedPropValidation})))"
)


class DropZone(ui.upload, component="drop_zone.js"):
    """ui.upload whose file input is named from the moment it is drawn (drop_zone.js), and
    that lets go of its page once deleted. Each upload element registers a route
    whose endpoint FastAPI remembers in caches of up to 4,096 callables each, after the route
    is gone; through the element's handlers that kept every closed page with a drop zone
    alive (`python -m bench soak`: memory grew by the size of each issue page left)."""

    def _handle_delete(self) -> None:
        super()._handle_delete()
        self._begin_upload_handlers.clear()
        self._upload_handlers.clear()
        self._multi_upload_handlers.clear()


_FASTAPI_CALLABLE_CACHES = (
    "_is_gen_callable_cached",
    "_is_async_gen_callable_cached",
    "_is_coroutine_callable_cached",
)


def forget_removed_endpoints() -> None:
    """Empty FastAPI's caches of classified endpoints. Each holds up to 4,096 endpoints,
    removed routes' too, and every deleted drop zone stays in memory through its route's
    endpoint until pushed out (about 4,000 deleted elements: tens of MB). Only a cache: a
    live endpoint is classified again on its next request."""
    from fastapi.dependencies import models

    for name in _FASTAPI_CALLABLE_CACHES:
        cache_clear = getattr(getattr(models, name, None), "cache_clear", None)
        if cache_clear is not None:  # another FastAPI version may not have it
            cache_clear()


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
