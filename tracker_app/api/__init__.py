"""The HTTP API under /api/v1: the same services, the same rules, documented at /docs."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from . import errors, insights, issues, people

API_PREFIX = "/api/v1"
DESCRIPTION = """
Everything the browser can do, for scripts and integrations. Authenticate with a bearer
token from `POST /api/v1/auth/token` (or a personal token from the account page). Errors are
`{"detail": ...}` with 401/403/404/409/413/415/422/429; a 409 on a stale `version` carries
the current issue in `current`.
"""


def install(app: FastAPI) -> None:
    """Mount the routers and the error handling on the app."""
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(people.router)
    router.include_router(issues.router)
    router.include_router(insights.router)
    app.include_router(router)
    errors.install(app)
    app.add_middleware(errors.ApiErrors)
    app.title = "Issues & Insights Tracker API"
    app.description = DESCRIPTION
    app.version = "1"
