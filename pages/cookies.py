"""The login cookies. In production they carry the `__Host-` prefix: the browser then keeps
them only if they are Secure, for the whole site and for this host alone, so no sibling
subdomain and no plain-HTTP page can set or shadow them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

import services

from . import config

SESSION = "tracker_session"
DEVICE = "tracker_device"  # a browser that signed in before (services.lockout)
_HOST = "__Host-"


def name(base: str) -> str:
    return _HOST + base if config.current().secure_cookies else base


def read(request: Request, base: str) -> str | None:
    return request.cookies.get(name(base))


def session_token(request: Request) -> str | None:
    return read(request, SESSION)


def set_session(response: Response, token: str) -> None:
    _set(response, SESSION, token, services.auth.SESSION_DAYS)


def set_device(response: Response, token: str) -> None:
    _set(response, DEVICE, token, services.lockout.DEVICE_DAYS)


def clear_session(response: Response) -> None:
    secure = config.current().secure_cookies
    response.delete_cookie(name(SESSION), path="/", secure=secure, httponly=True, samesite="lax")


def _set(response: Response, base: str, value: str, days: int) -> None:
    response.set_cookie(
        name(base),
        value,
        httponly=True,
        samesite="lax",
        secure=config.current().secure_cookies,
        max_age=days * 86400,
        path="/",
    )
