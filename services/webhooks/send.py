"""The job: one attempt at one delivery. Claims the row (so two workers never send it
twice), builds the payload as the endpoint's owner sees the issue (once: retries send the
same issue, each with its own `delivered_at`), signs and POSTs it outside any transaction,
records the attempt, and schedules the next one with exponential backoff or gives up; an
endpoint failing repeatedly is paused."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .. import hooks
from ..db import begin_write, session
from ..errors import DomainError
from ..models import User, utcnow
from ..schemas import Actor
from . import dispatch, net, settings
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

LOCK = dt.timedelta(seconds=dispatch.JOB_TIMEOUT)


def send_delivery(delivery_id: int) -> str:
    """Make one attempt at a pending delivery that is due; returns what became of it."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return "not due"
    url, secret, body, event = claimed
    timestamp = str(int(utcnow().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": net.USER_AGENT,
        net.EVENT_HEADER: event,
        net.DELIVERY_HEADER: str(delivery_id),
        net.TIMESTAMP_HEADER: timestamp,
        net.SIGNATURE_HEADER: net.sign(secret, timestamp, body),
    }
    started = utcnow()
    answer = net.post(url, body, headers, allow_private=settings.allow_private)
    return _record(delivery_id, started, answer)


def _claim(delivery_id: int) -> tuple[str, str, bytes, str] | None:
    """Lock a due delivery for this attempt and return (url, secret, body, event); None when
    it is not pending, not due, being sent, or its endpoint is paused."""
    now = utcnow()
    with session() as s:
        begin_write(s)
        claimed = s.execute(  # type: ignore[attr-defined]
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now + dt.timedelta(seconds=1),
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                WebhookDelivery.endpoint_id.in_(
                    select(WebhookEndpoint.id).where(WebhookEndpoint.paused.is_(False))
                ),
            )
            .values(locked_until=now + LOCK)
        ).rowcount
        if claimed != 1:
            s.rollback()
            return None
        delivery = s.get_one(WebhookDelivery, delivery_id)
        endpoint = s.get_one(WebhookEndpoint, delivery.endpoint_id)
        if delivery.payload is None:
            issue = _issue_as_owner_sees_it(s, endpoint.owner_id, delivery.issue_id)
            if issue is None:
                delivery.status = DeliveryStatus.SKIPPED
                delivery.locked_until = None
                delivery.error = "the issue is gone, or the endpoint's owner cannot see it"
                s.commit()
                return None
            delivery.payload = {
                "event": delivery.event,
                "delivered_at": now.isoformat(),
                "issue": issue,
            }
        s.commit()
        payload = {**delivery.payload, "delivered_at": now.isoformat()}  # this attempt's
        body = json.dumps(payload, separators=(",", ":")).encode()
        return endpoint.url, endpoint.secret, body, delivery.event


def _issue_as_owner_sees_it(s: Session, owner_id: int, issue_id: int) -> dict[str, Any] | None:
    """The issue as the API shows it to the owner, secrets masked; None if they cannot see it
    (or are no longer an active user)."""
    from .. import issues

    owner = s.get(User, owner_id)
    if owner is None or not owner.is_active:
        return None
    try:
        view = issues.get_issue(s, Actor.model_validate(owner), issue_id)
    except DomainError:
        return None
    return _masked(view.model_dump(mode="json"))


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return hooks.masked(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _record(delivery_id: int, started: dt.datetime, answer: net.Answer) -> str:
    """Write the attempt and what follows from it: delivered, a retry later, or failed; the
    endpoint's run of failures, and its pause."""
    retry_in: float | None = None
    with session() as s:
        begin_write(s)
        delivery = s.get(WebhookDelivery, delivery_id)
        if delivery is None:  # its endpoint was deleted meanwhile
            return "deleted"
        s.add(
            WebhookAttempt(
                delivery_id=delivery_id,
                started_at=started,
                ok=answer.ok,
                status_code=answer.status_code,
                duration_ms=answer.duration_ms,
                error=answer.error[:500],
            )
        )
        delivery.attempts += 1
        delivery.locked_until = None
        delivery.error = answer.error[:2000]
        if answer.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = utcnow()
            s.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == delivery.endpoint_id)
                .values(failures=0)
            )
            outcome = "delivered"
        else:
            s.execute(  # atomic: parallel failures all count
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == delivery.endpoint_id)
                .values(failures=WebhookEndpoint.failures + 1)
            )
            endpoint = s.get_one(WebhookEndpoint, delivery.endpoint_id)
            s.refresh(endpoint)
            if endpoint.failures >= settings.pause_after and not endpoint.paused:
                endpoint.paused = True
                endpoint.paused_at = utcnow()
                log.warning(
                    "webhook endpoint %s paused after %d failures", endpoint.id, endpoint.failures
                )
            if delivery.attempts >= settings.max_attempts:
                delivery.status = DeliveryStatus.FAILED
                outcome = "failed"
            else:
                retry_in = settings.backoff(delivery.attempts)
                delivery.next_attempt_at = utcnow() + dt.timedelta(seconds=retry_in)
                outcome = "retry"
        s.commit()
        paused = s.get_one(WebhookEndpoint, delivery.endpoint_id).paused
    if retry_in is not None and not paused:
        dispatch.submit([delivery_id], delay=retry_in)
    return outcome
