"""Idempotency keys: a retried create returns the first result instead of creating twice.

A client sends one key (a UUID, say) with a request and with every retry of it. Inside the
create's own write transaction the key is claimed by inserting a row that is unique per
(user, key); the response is stored in that row before the commit, so the claim, the new
rows and the stored response are one transaction, or nothing at all (a failed attempt
leaves no key behind and its retry runs again). A retry with the same request gets the
stored response and writes nothing; another request with the same key is refused.

Two requests racing with one key meet at the unique constraint, never at a read: on
PostgreSQL the second insert waits for the first transaction and then finds the row; on
SQLite writers queue for the write lock anyway (`db.begin_write`). Keys are kept for at
least KEEP; older ones are swept by the next claim of anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .errors import InvalidInput
from .models import IdempotencyKey, utcnow
from .schemas import View

KEEP = dt.timedelta(hours=24)
MAX_KEY = 255
HEADER = "Idempotency-Key"
_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_KEY}}}$")  # visible ASCII, as in a header
ViewT = TypeVar("ViewT", bound=View)


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key: either an earlier identical request's response
    (`replay`), or the row this request now owns and must `settle` before it commits."""

    row_id: int | None = None
    replay: str | None = None

    def earlier(self, view: type[ViewT]) -> ViewT | None:
        """The first response again, as the view the caller returns."""
        return None if self.replay is None else view.model_validate_json(self.replay)

    def settle(self, s: Session, response: View) -> None:
        """Store this request's response with its key, in the caller's transaction."""
        if self.row_id is not None:
            s.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == self.row_id)
                .values(response=response.model_dump_json())
            )


NO_KEY = Claim()


def claim(s: Session, user_id: int, key: str | None, request: Mapping[str, Any]) -> Claim:
    """Claim `key` for `request` (what was asked, validated: its action, ids and input)
    inside the caller's write transaction. No key: NO_KEY, nothing happens."""
    if key is None:
        return NO_KEY
    if not _KEY.match(key):
        raise InvalidInput(
            f"The {HEADER} header must be 1 to {MAX_KEY} visible ASCII characters "
            "(a UUID, for example).",
            {HEADER: "not a valid key"},
        )
    fingerprint = hashlib.sha256(
        json.dumps(request, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    now = utcnow()
    s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP))
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    row_id = s.scalar(
        insert(IdempotencyKey)
        .values(user_id=user_id, key=key, fingerprint=fingerprint, response="", created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.id)
    )
    if row_id is not None:
        return Claim(row_id=row_id)
    earlier = s.execute(
        select(IdempotencyKey.fingerprint, IdempotencyKey.response).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
        )
    ).one()
    if earlier.fingerprint != fingerprint:
        raise InvalidInput(
            f"This {HEADER} was already used for a different request (another body or "
            "another issue); send a new key with a new request.",
            {HEADER: "used for a different request"},
        )
    return Claim(replay=earlier.response)
