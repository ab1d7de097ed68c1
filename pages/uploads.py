"""The file drop zone used on the new-issue form and the issue page. The browser refuses a
file before uploading it when its type, size or count is wrong, and says which of them; the
server checks all of it again (the browser's limits are only hints)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import events, ui

from . import config
from .components import human_size

TYPES_HINT = "PNG, JPEG, GIF, WebP, PDF, ZIP or plain text (logs, CSV, JSON)"
# What the browser's file picker offers and what the drop zone takes (the server decides
# by the content, not the name).
ACCEPT = ",".join(
    [
        ".png,.jpg,.jpeg,.gif,.webp,.pdf,.zip,.txt,.log,.csv,.json,.md",
        "image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/*",
    ]
)
# Quasar tells which check refused each file; the browser sends back only these fields.
_REJECTED_JS = (
    "(entries) => emit(entries.map(e => "
    "({name: e.file.name, size: e.file.size, reason: e.failedPropValidation})))"
)


def file_drop(
    label: str,
    on_upload: Callable[[events.UploadEventArguments], Awaitable[None]],
    *,
    max_files: int = 0,
) -> ui.upload:
    """A multi-file drop zone that uploads at once and explains every refusal."""
    limit = config.current().max_upload_bytes
    uploader = ui.upload(
        label=label,
        multiple=True,
        auto_upload=True,
        max_files=max_files or None,
        max_file_size=limit,
        on_upload=on_upload,
    ).props(f'accept="{ACCEPT}"')
    uploader.on(
        "rejected",
        lambda e: notify_rejected(e.args, limit=limit, max_files=max_files),
        js_handler=_REJECTED_JS,
    )
    return uploader


def notify_rejected(entries: Any, *, limit: int, max_files: int) -> None:
    """One message per refused file, naming the real reason."""
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            ui.notify(rejection(entry, limit=limit, max_files=max_files), type="warning")


def rejection(entry: dict[str, Any], *, limit: int, max_files: int) -> str:
    name = str(entry.get("name") or "A file")
    reason = entry.get("reason")
    if reason == "accept":
        return f"{name}: this type of file is not accepted. Allowed: {TYPES_HINT}."
    if reason == "max-file-size":
        size = entry.get("size")
        actual = f" is {human_size(size)}," if isinstance(size, int) else ""
        return f"{name}{actual} over the limit of {human_size(limit)} per file."
    if reason == "max-files":
        return f"{name}: at most {max_files} files per issue."
    return f"{name} was not accepted."
