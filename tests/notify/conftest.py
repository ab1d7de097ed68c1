from __future__ import annotations

from collections.abc import Iterator

import pytest

from services import events


@pytest.fixture
def bells(db: str) -> Iterator[list[events.ChangeEvent]]:
    """The `notification` events this process delivers (whose bell to update)."""
    received: list[events.ChangeEvent] = []

    def receive(change: events.ChangeEvent) -> None:
        if change.kind == "notification":
            received.append(change)

    unsubscribe = events.subscribe(receive)
    yield received
    unsubscribe()
