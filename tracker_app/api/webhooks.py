"""Webhooks (administrators only): endpoints that receive signed JSON when issues change,
and the record of every delivery and attempt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

import services
from services.webhooks import DeliveryView, WebhookCreate, WebhookView

from .deps import Id, Who

router = APIRouter(tags=["webhooks"])


@router.get("/webhooks", response_model=list[WebhookView])
def list_webhooks(who: Who) -> list[WebhookView]:
    """Every endpoint: `url`, `events`, `paused`, `failures` (in a row), `owner`. The secret
    is never shown."""
    with services.session() as s:
        return services.webhooks.list_endpoints(s, who.actor(s))


@router.post("/webhooks", response_model=WebhookView, status_code=201)
def create_webhook(who: Who, body: WebhookCreate) -> WebhookView:
    """Add an endpoint `{url, secret, events}`. Events: `issue.created`, `issue.updated`,
    `issue.status_changed`, `issue.commented`, `attachment.analysed`. Each delivery is a
    POST of `{event, delivered_at, issue}` (the issue as this API shows it to you, secrets
    masked) with `X-Tracker-Timestamp` and `X-Tracker-Signature-256: sha256=<hex>`, the
    HMAC-SHA256 with the secret of `<timestamp>.<body>`."""
    with services.session() as s:
        return services.webhooks.create_endpoint(s, who.actor(s), body)


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(who: Who, webhook_id: Id) -> Response:
    """Remove an endpoint with its deliveries."""
    with services.session() as s:
        services.webhooks.delete_endpoint(s, who.actor(s), webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[DeliveryView])
def list_deliveries(
    who: Who, webhook_id: Id, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[DeliveryView]:
    """The latest deliveries, newest first: `event`, `issue_id`, `status` (pending,
    delivered, failed, skipped) and each attempt's `status_code`, `duration_ms`, `error`."""
    with services.session() as s:
        return services.webhooks.list_deliveries(s, who.actor(s), webhook_id, limit=limit)
