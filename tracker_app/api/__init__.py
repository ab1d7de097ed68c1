"""The HTTP API under /api/v1: the same services, the same rules, documented at /docs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from . import errors, insights, issues, people
from .models import Problem

API_PREFIX = "/api/v1"
DESCRIPTION = """
Everything the browser can do, for scripts and integrations. Authenticate with a bearer
token from `POST /api/v1/auth/token` (or a personal token from the account page). Errors are
`{"detail": ...}` with 401/403/404/409/413/415/422/429; a 409 on a stale `version` carries
the current issue in `current`. Creating an issue or a comment takes an optional
`Idempotency-Key` header, so a retry never creates twice.
"""


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text}
    for code, text in [
        (400, "the body could not be parsed (not JSON, not a form)"),
        (401, "not signed in, or the token is invalid, expired or revoked"),
        (403, "signed in, but this role may not do this (or a cross-site cookie request)"),
        (404, "no such thing, or not yours to see (the two look the same)"),
        (409, "a stale `version` (with `current`) or a workflow move not allowed (`allowed`)"),
        (413, "the upload is larger than the limit"),
        (415, "the upload's content is not an allowed type"),
        (422, "invalid input (`errors` per field)"),
        (429, "too many attempts; see Retry-After"),
        (503, "the database is unavailable; nothing was written, try again"),
    ]
}


def install(app: FastAPI) -> None:
    """Mount the routers and the error handling on the app."""
    router = APIRouter(prefix=API_PREFIX, responses=ERRORS)
    router.include_router(people.router)
    router.include_router(issues.router)
    router.include_router(insights.router)
    app.include_router(router)
    errors.install(app)
    app.add_middleware(errors.ApiErrors)
    app.title = "Issues & Insights Tracker API"
    app.description = DESCRIPTION
    app.version = "1"
