"""An open page keeps its HTTP request for as long as it is open: NiceGUI's client holds it,
and so does every event handler made while the page was built. That request's `receive`
reaches back through each middleware's call (their task groups, memory streams and events)
and its scope holds FastAPI's exit stacks. What a page uses of it later (headers, the
client's address, the URL, the state and session) is copied into a request of its own, and
the original is let go once the response is sent."""

from __future__ import annotations

from nicegui import storage, ui
from starlette.requests import Request

KEPT = frozenset(
    {
        "type",
        "asgi",
        "http_version",
        "method",
        "headers",
        "scheme",
        "path",
        "raw_path",
        "query_string",
        "server",
        "client",
        "root_path",
        "app",
        "session",
        "state",
        "path_params",
        "route",
        "nicegui_page_path",
    }
)


def keep_less(request: Request) -> None:
    """From here on, the page being built for `request` holds a copy of it that reads no
    body. Nothing happens outside such a page (the not-found page asks who is signed in
    before it makes its page)."""
    try:
        client = ui.context.client
    except RuntimeError:  # no page is being built here
        return
    if client._request is not request:  # NiceGUI keeps no public way to ask or set it
        return
    lean = Request({k: v for k, v in request.scope.items() if k in KEPT})
    client._request = lean
    storage.request_contextvar.set(lean)  # for the handlers made from here on
    for element in client.elements.values():  # and those NiceGUI made before
        for listener in element._event_listeners.values():
            listener.request = lean
