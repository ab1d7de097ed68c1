"""The HTTP API under /api/v1: the same services, the same rules, documented at /docs."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

import services

from . import bulk, errors, insights, intake, issues, people, similar, tokens, views, webhooks
from .models import Problem

API_PREFIX = "/api/v1"
DESCRIPTION = """
Everything the browser can do, for scripts and integrations. Authenticate with a bearer
token from `POST /api/v1/auth/token` (or a personal token from the account page). Errors are
`{"detail": ...}` with 401/403/404/409/413/415/422/429; a 409 on a stale `version` carries
the current issue in `current`. Writes are limited per user (issues, comments and files per
hour; imported issues and uploaded bytes per 24 hours): over a limit the answer is 429 with
`Retry-After` (seconds) and a message saying when to try again. Creating an issue or a
comment takes an optional `Idempotency-Key` header, so a retry never creates twice.
"""
UPLOAD_PATH = f"{API_PREFIX}/issues/{{issue_id}}/attachments"
# In this order: /issues/similar before /issues/{issue_id}.
ROUTERS = (people, tokens, similar, bulk, issues, insights, intake, webhooks, views)


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text}
    for code, text in [
        (400, "the body could not be parsed (not JSON, not a form)"),
        (401, "not signed in, or the token is invalid, expired or revoked"),
        (403, "signed in, but this role may not do this (or a cross-site cookie request)"),
        (404, "no such thing, or not yours to see (the two look the same)"),
        (409, "a stale `version` (with `current`) or a workflow move not allowed (`allowed`)"),
        (413, "the body (or, for an upload, the file) is larger than the limit"),
        (415, "the upload's content is not an allowed type"),
        (422, "invalid input (`errors` per field)"),
        (429, "too many attempts, or over a per-user write limit; see Retry-After"),
        (503, "the database is unavailable; nothing was written, try again"),
    ]
}


def install(app: FastAPI, *, allow_signup: bool = True) -> None:
    """Mount the routers and the error handling on the app."""
    people.configure(signup=allow_signup)
    # FastAPI merges an included router's lifespan into the app's. The page tests build the
    # same app again for every test: without starting from the app's own lifespan, each
    # build nested one more layer until startup ran out of stack.
    base = app.__dict__.setdefault("_tracker_own_lifespan", app.router.lifespan_context)
    app.router.lifespan_context = base
    # Each router straight into the app, not through a router of its own: FastAPI builds an
    # included route's validation once per level of nesting (on the first request to it,
    # again), which was a quarter of the API tests' time.
    for part in ROUTERS:
        app.include_router(part.router, prefix=API_PREFIX, responses=ERRORS)
    errors.install(app)
    app.add_middleware(errors.ApiErrors)
    app.title = "Issues & Insights Tracker API"
    app.description = DESCRIPTION
    app.version = "1"
    _document_upload_policy(app)


def _document_upload_policy(app: FastAPI) -> None:
    """The upload endpoint's documentation states the policy in force (services.uploads),
    read when the schema is first generated: the settings decide it, not this code."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            upload = generate()["paths"][UPLOAD_PATH]["post"]
            upload["description"] += "\n\n" + services.uploads.policy().describe()
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
