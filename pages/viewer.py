"""Who is looking at a page, and the one way pages call services: off the event loop, with
the login session re-checked, domain errors turned into notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from nicegui import run, ui
from starlette.requests import Request

import services
from services import Actor, permissions

from . import cookies
from .lean_request import keep_less
from .redirects import login_url

T = TypeVar("T")


class SessionEnded(Exception):
    """The login session is gone (logout elsewhere, password change, deactivation, idle)."""


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
    # The live hub's count of changes when the page's request began, before it read anything:
    # what was dispatched after that but before the page watched still reaches it (pages.live).
    since: int | None = field(default=None, repr=False)
    _ended: bool = field(default=False, repr=False)

    @property
    def is_staff(self) -> bool:
        return permissions.is_staff(self.actor)

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
        checked first (and its idle clock restarted), so a logged-out, deactivated or idle
        user's open page stops working."""

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
        """The background re-check: it does not count as activity for the idle timeout."""

        def check() -> Actor | None:
            with services.session() as s:
                return services.auth.resolve_session(s, self.token, touch=False)

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
    from .live import hub  # pages.live builds on this module

    since = hub.generation
    token = cookies.session_token(request)
    if not token:
        return None

    def resolve() -> Actor | None:
        with services.session() as s:
            return services.auth.resolve_session(s, token)

    actor = await run.io_bound(resolve)
    if actor is None:
        return None
    request.state.user_id = actor.id  # for the request log
    keep_less(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Viewer(token=token, actor=actor, path=path, since=since)
