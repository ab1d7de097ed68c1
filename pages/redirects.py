"""Where to send a browser next: only ever a path of this site."""

from __future__ import annotations

import posixpath
from urllib.parse import quote, unquote


def login_url(next_path: str = "/") -> str:
    return "/login" if next_path in ("", "/") else f"/login?next={quote(next_path, safe='')}"


def safe_next(value: str | None) -> str:
    """Only same-site relative paths: '/x' yes; '//evil', 'https://evil', '/\\evil' no; and
    never back into the sign-in machinery ('/auth/...', however it is spelled)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(c in value for c in "\r\n\t"):
        return "/"
    path = posixpath.normpath(unquote(value.split("?", 1)[0]))
    if path == "/auth" or path.startswith(("/auth/", "//")) or "\\" in path:
        return "/"
    return value
