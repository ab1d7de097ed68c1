"""Who is looking at a page, and the one way pages call services: off the event loop,
with the login session re-checked, domain errors turned into notifications."""

from __future__ import annotations

import asyncio
import posixpath
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote

from nicegui import app, run, ui
from starlette.requests import Request

import services
from services import Actor

COOKIE = "tracker_session"
T = TypeVar("T")


@dataclass(frozen=True)
class PageConfig:
    """What the pages need to know about the deployment."""

    allow_signup: bool = True
    max_upload_bytes: int = 25 * 1024 * 1024
    secure_cookies: bool = False
    job_queue: bool = False  # RQ on Redis (else jobs run in-process)


config = PageConfig()


def configure(new: PageConfig) -> None:
    global config
    config = new


class SessionEnded(Exception):
    """The login session is gone (logout elsewhere, password change, deactivation)."""


@dataclass
class Result(Generic[T]):
    value: T | None = None
    error: services.DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Viewer:
    """The signed-in user of one open page."""

    token: str
    actor: Actor
    path: str = "/"
    _ended: bool = field(default=False, repr=False)

    @property
    def is_staff(self) -> bool:
        return self.actor.is_staff

    @property
    def ended(self) -> bool:
        return self._ended

    @property
    def scope(self) -> str:
        """Who sees the same data: every staff member alike, each reporter alone."""
        return "staff" if self.is_staff else f"reporter:{self.actor.id}"

    async def call(
        self, fn: Callable[..., T], *args: Any, quiet: bool = False, **kw: Any
    ) -> Result[T]:
        """Run `fn(session, actor, *args, **kw)` for a user action: the login session is
        checked first, so a logged-out or deactivated user's open page stops working."""

        def work() -> T:
            with services.session() as s:
                actor = services.auth.resolve_session(s, self.token)
                if actor is None:
                    raise SessionEnded()
                self.actor = actor
                return fn(s, actor, *args, **kw)

        return await self._run(work, quiet)

    async def query(self, fn: Callable[..., T], *args: Any, **kw: Any) -> Result[T]:
        """Run a read for a live refresh (no session re-check; the service still checks the
        user's current row)."""

        def work() -> T:
            with services.session() as s:
                return fn(s, self.actor, *args, **kw)

        return await self._run(work, quiet=True)

    async def still_signed_in(self) -> bool:
        def check() -> Actor | None:
            with services.session() as s:
                return services.auth.resolve_session(s, self.token)

        actor = await run.io_bound(check)
        if actor is None:
            self._end()
            return False
        self.actor = actor
        return True

    async def _run(self, work: Callable[[], T], quiet: bool) -> Result[T]:
        if self._ended:
            return Result(error=services.AuthenticationFailed("Signed out."))
        try:
            return Result(value=await run.io_bound(work))
        except SessionEnded:
            self._end()
            return Result(error=services.AuthenticationFailed("Your session has ended."))
        except services.AuthenticationFailed as e:
            self._end()
            return Result(error=e)
        except services.DomainError as e:
            if not quiet:
                ui.notify(e.message, type="negative", multi_line=True)
            return Result(error=e)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            ui.notify("Your session has ended; please sign in again.", type="warning")
            ui.navigate.to(login_url(self.path))


async def viewer_for(request: Request) -> Viewer | None:
    """The signed-in user of this request, or None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None

    def resolve() -> Actor | None:
        with services.session() as s:
            return services.auth.resolve_session(s, token)

    actor = await run.io_bound(resolve)
    if actor is None:
        return None
    request.state.user_id = actor.id  # for the request log
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Viewer(token=token, actor=actor, path=path)


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


# Password hashing is slow on purpose: sign-ins and sign-ups get two threads of their own, so
# a burst of them can never take the threads every other page's database call needs.
AUTH_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tracker-auth")
SIGN_IN_LIMIT = services.throttle.RateLimit(limit=30, window=300)
SIGN_UP_LIMIT = services.throttle.RateLimit(limit=10, window=3600)


async def run_auth(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(AUTH_POOL, work)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Tickets:
    """One-time, short-lived tickets that carry a new login session from a websocket event
    to the HTTP request that sets the cookie (a websocket cannot set cookies). A ticket is
    bound to the browser that signed in, so nobody can sign a victim into their own account
    with a link (login CSRF)."""

    TTL = 60.0

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, str, float]] = {}

    def issue(self, token: str, browser: str) -> str:
        now = time.monotonic()
        self._items = {k: v for k, v in self._items.items() if v[2] > now}
        ticket = secrets.token_urlsafe(24)
        self._items[ticket] = (token, browser, now + self.TTL)
        return ticket

    def redeem(self, ticket: str, browser: str) -> str | None:
        token, owner, expires = self._items.pop(ticket, ("", "", 0.0))
        ok = token and owner and secrets.compare_digest(owner, browser)
        return token if ok and expires > time.monotonic() else None


tickets = Tickets()


def browser_id() -> str:
    """NiceGUI's per-browser id (from its signed session cookie)."""
    return str(app.storage.browser.get("id", ""))


def complete_login(token: str, next_path: str) -> None:
    """Navigate to the route that sets the session cookie, then on to `next_path`."""
    ticket = tickets.issue(token, browser_id())
    ui.navigate.to(f"/auth/complete?ticket={ticket}&next={quote(safe_next(next_path), safe='')}")
