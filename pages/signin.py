"""The plumbing of signing in from a page: password hashing on threads of its own, and the
one-time tickets that carry a new login from a websocket event to the HTTP request that sets
the cookies (a websocket cannot set cookies)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from nicegui import app, ui

from .redirects import safe_next

T = TypeVar("T")

# Password hashing is slow on purpose: sign-ins and sign-ups get two threads of their own, so
# a burst of them can never take the threads every other page's database call needs.
AUTH_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tracker-auth")


async def run_auth(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(AUTH_POOL, work)


@dataclass(frozen=True)
class Login:
    session: str
    device: str  # "" when the sign-in did not renew the browser's device cookie


class Tickets:
    """One-time, short-lived tickets for a new login. A ticket is bound to the browser that
    signed in, so nobody can sign a victim into their own account with a link (login
    CSRF)."""

    TTL = 60.0

    def __init__(self) -> None:
        self._items: dict[str, tuple[Login, str, float]] = {}

    def issue(self, login: Login, browser: str) -> str:
        now = time.monotonic()
        self._items = {k: v for k, v in self._items.items() if v[2] > now}
        ticket = secrets.token_urlsafe(24)
        self._items[ticket] = (login, browser, now + self.TTL)
        return ticket

    def redeem(self, ticket: str, browser: str) -> Login | None:
        login, owner, expires = self._items.pop(ticket, (None, "", 0.0))
        ok = login is not None and owner and secrets.compare_digest(owner, browser)
        return login if ok and expires > time.monotonic() else None


tickets = Tickets()


def browser_id() -> str:
    """NiceGUI's per-browser id (from its signed session cookie)."""
    return str(app.storage.browser.get("id", ""))


def complete_login(login: Login, next_path: str) -> None:
    """Navigate to the route that sets the cookies, then on to `next_path`."""
    ticket = tickets.issue(login, browser_id())
    ui.navigate.to(f"/auth/complete?ticket={ticket}&next={quote(safe_next(next_path), safe='')}")
