"""Webhooks: admins register endpoints (URL, secret, events); every change to an issue they
asked for is POSTed to them as signed JSON by a background job, with retries, every attempt
recorded. Payloads are built as the endpoint's owner sees the issue, secrets masked.

Service functions (ADMIN only): `create_endpoint`, `list_endpoints`, `delete_endpoint`,
`pause_endpoint`, `resume_endpoint`, `list_deliveries`, `resend_delivery`. Jobs:
`send.send_delivery` (one attempt) and `sweep` (hands over what was never sent).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import begin_write
from ..enums import Role
from ..errors import InvalidInput, NotFound
from ..models import User, utcnow
from ..permissions import load_actor, require
from ..schemas import Actor, UserRef
from . import dispatch, net, settings
from .models import EVENTS, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .record import sweep

__all__ = [
    "EVENTS",
    "AttemptView",
    "DeliveryView",
    "WebhookCreate",
    "WebhookView",
    "configure",
    "create_endpoint",
    "delete_endpoint",
    "list_deliveries",
    "list_endpoints",
    "pause_endpoint",
    "resend_delivery",
    "resume_endpoint",
    "sweep",
]

MAX_ENDPOINTS = 50


def configure(*, allow_private: bool = False) -> None:
    """Set from TRACKER_WEBHOOK_ALLOW_PRIVATE: may endpoints be loopback or private addresses."""
    settings.allow_private = allow_private


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2000)]
    secret: Annotated[str, Field(min_length=16, max_length=200)]
    events: Annotated[list[str], Field(min_length=1, max_length=len(EVENTS))]

    @field_validator("events")
    @classmethod
    def known_events(cls, value: list[str]) -> list[str]:
        unknown = [e for e in value if e not in EVENTS]
        if unknown:
            raise ValueError(f"unknown events {unknown}; known: {', '.join(EVENTS)}")
        return list(dict.fromkeys(value))


class WebhookView(BaseModel):
    """An endpoint; its secret is never shown again."""

    id: int
    url: str
    events: list[str]
    paused: bool
    paused_at: dt.datetime | None
    failures: int
    owner: UserRef
    created_at: dt.datetime


class AttemptView(BaseModel):
    started_at: dt.datetime
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str


class DeliveryView(BaseModel):
    id: int
    endpoint_id: int
    event: str
    issue_id: int
    status: DeliveryStatus
    attempts: list[AttemptView]
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    error: str


def create_endpoint(s: Session, actor: Actor, data: WebhookCreate) -> WebhookView:
    """ADMIN: add an endpoint; its payloads are built as this admin sees issues."""
    me = _admin(s, actor)
    _check_target(data.url)
    begin_write(s)
    count = len(s.scalars(select(WebhookEndpoint.id)).all())
    if count >= MAX_ENDPOINTS:
        raise InvalidInput(f"At most {MAX_ENDPOINTS} webhook endpoints.")
    row = WebhookEndpoint(
        owner_id=me.id,
        url=data.url.strip(),
        secret=data.secret,
        events=data.events,
        paused=False,
        failures=0,
        created_at=utcnow(),
    )
    s.add(row)
    s.flush()
    view = _view(row, me)
    s.commit()
    return view


def list_endpoints(s: Session, actor: Actor) -> list[WebhookView]:
    """ADMIN: every endpoint, oldest first."""
    _admin(s, actor)
    rows = s.execute(
        select(WebhookEndpoint, User)
        .join(User, User.id == WebhookEndpoint.owner_id)
        .order_by(WebhookEndpoint.id)
    ).all()
    return [_view(endpoint, owner) for endpoint, owner in rows]


def delete_endpoint(s: Session, actor: Actor, endpoint_id: int) -> None:
    """ADMIN: remove an endpoint with its deliveries and their attempts."""
    _admin(s, actor)
    begin_write(s)
    endpoint = _endpoint(s, endpoint_id)
    ids = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    # Explicit, not only ON DELETE CASCADE: SQLite enforces foreign keys per connection.
    s.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
    s.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    s.delete(endpoint)
    s.commit()


def pause_endpoint(s: Session, actor: Actor, endpoint_id: int) -> WebhookView:
    """ADMIN: stop sending to an endpoint; its deliveries wait (pending) until resumed."""
    _admin(s, actor)
    begin_write(s)
    endpoint = _endpoint(s, endpoint_id)
    if not endpoint.paused:
        endpoint.paused = True
        endpoint.paused_at = utcnow()
    view = _view(endpoint, s.get_one(User, endpoint.owner_id))
    s.commit()
    return view


def resume_endpoint(s: Session, actor: Actor, endpoint_id: int) -> WebhookView:
    """ADMIN: send to a paused endpoint again, starting with what waited meanwhile."""
    _admin(s, actor)
    begin_write(s)
    endpoint = _endpoint(s, endpoint_id)
    endpoint.paused = False
    endpoint.paused_at = None
    endpoint.failures = 0
    now = utcnow()
    s.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(next_attempt_at=now, locked_until=None)
    )
    waiting = list(
        s.scalars(
            select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == endpoint.id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
        )
    )
    view = _view(endpoint, s.get_one(User, endpoint.owner_id))
    s.commit()
    dispatch.submit(waiting)
    return view


def list_deliveries(
    s: Session, actor: Actor, endpoint_id: int, *, limit: int = 50
) -> list[DeliveryView]:
    """ADMIN: an endpoint's latest deliveries, newest first, each with its attempts."""
    _admin(s, actor)
    endpoint = _endpoint(s, endpoint_id)
    rows = list(
        s.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(max(1, min(limit, 200)))
        )
    )
    attempts: dict[int, list[AttemptView]] = {row.id: [] for row in rows}
    if rows:
        for a in s.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttempt.id)
        ):
            attempts[a.delivery_id].append(AttemptView.model_validate(a, from_attributes=True))
    return [_delivery_view(row, attempts[row.id]) for row in rows]


def resend_delivery(s: Session, actor: Actor, delivery_id: int) -> DeliveryView:
    """ADMIN: send a delivery again now (a new round of attempts), whatever became of it."""
    _admin(s, actor)
    begin_write(s)
    row = s.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound("No such delivery.")
    if row.status == DeliveryStatus.SKIPPED:
        row.payload = None  # built again: the owner may see the issue now
    row.status = DeliveryStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.locked_until = None
    row.error = ""
    attempts = [
        AttemptView.model_validate(a, from_attributes=True)
        for a in s.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == row.id)
            .order_by(WebhookAttempt.id)
        )
    ]
    view = _delivery_view(row, attempts)
    s.commit()
    dispatch.submit([row.id])
    return view


def _admin(s: Session, actor: Actor) -> User:
    me = load_actor(s, actor)
    require(me.role == Role.ADMIN, "Only administrators can manage webhooks.")
    return me


def _endpoint(s: Session, endpoint_id: int) -> WebhookEndpoint:
    row = s.get(WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFound("No such webhook endpoint.")
    return row


def _check_target(url: str) -> None:
    """Refuse at once what can never be sent to: a malformed URL, or (unless allowed) a
    literal internal address or localhost. Names are resolved again at every attempt."""
    try:
        _scheme, host, _port = net.check_url(url.strip())
    except net.Refused as e:
        raise InvalidInput(f"Webhook URL: {e}.", {"url": str(e)}) from None
    if settings.allow_private:
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        internal = host.lower().rstrip(".") in ("localhost",) or host.lower().endswith(".localhost")
    else:
        internal = net.refused_address(str(literal))
    if internal:
        why = "loopback, private and link-local addresses are refused"
        raise InvalidInput(f"Webhook URL: {why}.", {"url": why})


def _view(row: WebhookEndpoint, owner: User) -> WebhookView:
    return WebhookView(
        id=row.id,
        url=row.url,
        events=list(row.events or []),
        paused=row.paused,
        paused_at=row.paused_at,
        failures=row.failures,
        owner=UserRef.model_validate(owner),
        created_at=row.created_at,
    )


def _delivery_view(row: WebhookDelivery, attempts: list[AttemptView]) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event=row.event,
        issue_id=row.issue_id,
        status=row.status,
        attempts=attempts,
        next_attempt_at=row.next_attempt_at if row.status == DeliveryStatus.PENDING else None,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        error=row.error,
    )
