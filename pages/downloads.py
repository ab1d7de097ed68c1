"""`/attachments/{id}`: files through an authorised route, never a static folder.

Always `nosniff` and a `sandbox` CSP; served as a download, except the four image types
(never SVG) and PDFs, which `?inline=1` shows in the browser (thumbnails, the image viewer,
the browser's own PDF viewer), under the same headers.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from nicegui import app
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse

import services
from services.storage import Reader

from . import cookies
from .components import parse_id


def register() -> None:
    @app.get("/attachments/{attachment_id}", include_in_schema=False)
    def download(attachment_id: str, request: Request, inline: int = 0) -> Response:
        token = cookies.session_token(request)
        file_id = parse_id(attachment_id)
        try:
            with services.session() as s:
                actor = services.auth.resolve_session(s, token)
                if actor is None:
                    return JSONResponse({"detail": "Sign in first."}, status_code=401)
                file = services.attachments.open_attachment(s, actor, file_id)
        except services.NotFound:
            return JSONResponse({"detail": "Attachment not found."}, status_code=404)
        return attachment_response(file, inline=bool(inline))

    @app.get("/attachments/{attachment_id}/thumbnail", include_in_schema=False)
    def thumbnail(attachment_id: str, request: Request) -> Response:
        """The small picture the intake made of an image (our own JPEG or PNG)."""
        token = cookies.session_token(request)
        try:
            with services.session() as s:
                actor = services.auth.resolve_session(s, token)
                if actor is None:
                    return JSONResponse({"detail": "Sign in first."}, status_code=401)
                found = services.intake.thumbnail_of(s, actor, parse_id(attachment_id))
        except services.NotFound:
            found = None
        if found is None:
            return JSONResponse({"detail": "No thumbnail."}, status_code=404)
        data, kind = found
        return Response(data, media_type=kind, headers=SANDBOX_HEADERS)


PDF = "application/pdf"
SANDBOX_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
}


def attachment_response(file: services.attachments.AttachmentFile, *, inline: bool) -> Response:
    """The response for a file the caller may read (shared with the API)."""
    shown = file.is_image or file.view.content_type == PDF
    disposition = "inline" if inline and shown else "attachment"
    name = file.view.filename
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    headers = {
        "Content-Disposition": f'{disposition}; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(name)}",
        **SANDBOX_HEADERS,
    }
    if file.path is not None:  # a local disk: the file as it is
        return FileResponse(file.path, media_type=file.view.content_type, headers=headers)
    # A bucket: streamed through this process, chunk by chunk, never whole in memory
    # (docs/adr/0007: why not a redirect to a presigned URL). Opened here, so a bucket that
    # is down is a 503 "try again" before any byte is sent.
    reader = file.open()
    headers["Content-Length"] = str(reader.size)
    return StreamingResponse(_streamed(reader), media_type=file.view.content_type, headers=headers)


def _streamed(reader: Reader) -> Iterator[bytes]:
    try:
        yield from reader.chunks()
    finally:
        reader.close()
