"""Wire the NiceGUI/FastAPI application: pages, health endpoint, security headers."""

from __future__ import annotations

import logging
from typing import Any

from nicegui import app, ui
from starlette.requests import Request
from starlette.responses import JSONResponse

import pages.home
import services

from .settings import Settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def build(settings: Settings) -> None:
    """Register routes and middleware on NiceGUI's app (once per process)."""
    pages.home.register()

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if settings.production and request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        state = health(settings)
        return JSONResponse(state, status_code=200 if state["database"] == "ok" else 503)


def health(settings: Settings) -> dict[str, str]:
    """Database and Redis state, no secrets: ok | degraded | down."""
    out = {"status": "ok", "database": "ok", "redis": "disabled"}
    try:
        services.db.ping()
    except Exception as e:
        log.warning("health: database unreachable: %s", e)
        out["database"] = out["status"] = "down"
    if settings.redis_url:
        import redis

        try:
            redis.Redis.from_url(settings.redis_url, socket_connect_timeout=1).ping()
            out["redis"] = "ok"
        except Exception:
            out["redis"] = "down"
            if out["status"] == "ok":
                out["status"] = "degraded"
    return out


def run(settings: Settings, host: str, port: int) -> None:
    build(settings)
    services.events.bus.start_listener()
    ui.run(
        host=host,
        port=port,
        title="Issues & Insights Tracker",
        reload=False,
        show=False,
        storage_secret=settings.secret_key,
        show_welcome_message=False,
    )
