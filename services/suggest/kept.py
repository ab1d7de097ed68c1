"""Possible duplicates as staff last saw them, per issue, until anything changes.

The issue page asks on every view, and the search is a third of the page's work. An answer is
kept for its issue while its key holds (the issue's version and signatures, the index and
how many rows it has read, the model or not) and no change event has arrived in this process
since it was computed: every committed change (a status, a deletion, a signature) is an
event, delivered here before the writer's call returns, and from other processes through
Redis or the database, with a resync after an outage. Reporters' answers are not kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from .. import events

KEPT = 1024  # issues

_lock = threading.Lock()
_generation = 0
_answers: OrderedDict[int, tuple[int, Any, Any]] = OrderedDict()


def generation() -> int:
    """Read before computing an answer; `keep` stores it only if nothing changed since."""
    return _generation


def get(issue_id: int, key: Any) -> Any:
    with _lock:
        found = _answers.get(issue_id)
        if found is None or found[0] != _generation or found[1] != key:
            return None
        _answers.move_to_end(issue_id)
        return found[2]


def keep(issue_id: int, key: Any, answer: Any, since: int) -> None:
    with _lock:
        if since != _generation:
            return  # something changed while it was computed
        _answers[issue_id] = (since, key, answer)
        _answers.move_to_end(issue_id)
        while len(_answers) > KEPT:
            _answers.popitem(last=False)


def _changed(_change: events.ChangeEvent) -> None:
    global _generation
    with _lock:
        _generation += 1
        _answers.clear()


events.subscribe(_changed)
