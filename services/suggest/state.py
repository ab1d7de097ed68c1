"""This process's similarity index: the model (loaded once, or the reason it is missing)
and the vectors or texts of every issue, brought up to date from the database before each
search (only rows newer than the last look are read)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, true
from sqlalchemy.orm import Session

from .. import similar
from ..db import runtime, session
from ..models import Issue, IssueVector, utcnow

log = logging.getLogger(__name__)


@dataclass
class _Config:
    model_dir: Path | None = None


_config = _Config()
_lock = threading.Lock()
_model: Any = None  # the Embedder once loaded
_model_error: str | None = None
_model_tried_for: Path | None = None
_index: _Index | None = None
_phrases: tuple[Any, Any] | None = None


def configure(*, model_dir: str | Path | None) -> None:
    """Where the embedding model is (TRACKER_SIMILARITY_MODEL_DIR); None: lexical only."""
    global _model, _model_error, _model_tried_for, _index
    with _lock:
        _config.model_dir = Path(model_dir) if model_dir is not None else None
        _model = _model_error = _model_tried_for = None
        _index = None
        _items.clear()


def embedder() -> Any:
    """The loaded model, or None (then `model_status` says why)."""
    global _model, _model_error, _model_tried_for
    with _lock:
        wanted = _config.model_dir
        if wanted is None:
            _model_error = "no similarity model is configured"
            return None
        if _model_tried_for != wanted:
            _model_tried_for = wanted
            try:
                _model, _model_error = similar.load_model(wanted, threads=1), None
            except similar.ModelUnavailable as e:
                _model, _model_error = None, str(e)
                log.warning("similar issues use the lexical fallback: %s", e)
        return _model


def phrases() -> Any:
    """The model's judge of swapped words, with its cache kept for this process."""
    global _phrases
    model = embedder()
    if model is None:
        return None
    with _lock:
        if _phrases is None or _phrases[0] is not model:
            _phrases = (model, similar.Phrases(model))
        return _phrases[1]


# Candidates as the scorer saw them (their words, facets and vectors worked out once), by
# issue id, while their text stays the same.
_ITEMS_KEPT = 4096
_items: OrderedDict[int, tuple[Any, Any]] = OrderedDict()


def cached_item(issue_id: int, key: Any) -> Any:
    with _lock:
        found = _items.get(issue_id)
        if found is None or found[0] != key:
            return None
        _items.move_to_end(issue_id)
        return found[1]


def keep_item(issue_id: int, key: Any, item: Any) -> None:
    with _lock:
        _items[issue_id] = (key, item)
        _items.move_to_end(issue_id)
        while len(_items) > _ITEMS_KEPT:
            _items.popitem(last=False)


def model_status() -> tuple[str, str | None]:
    """("model", None) or ("lexical", why)."""
    return ("model", None) if embedder() is not None else ("lexical", _model_error)


# Each look reads the rows after the last one it read (by time, then id) and those written
# in the last LOOKBACK: a row stamped a moment before another but committed after it is not
# missed, and a row read before is skipped.
LOOKBACK = dt.timedelta(seconds=2)


class _Index:
    """Vectors (with a model) or texts (without) of every issue, kept up to date from the
    database, and whose issue each one is (a reporter's suggestions come from their own)."""

    def __init__(self, engine: Engine, model: Any) -> None:
        self.engine = engine
        self.model = model
        self.vectors: Any = None
        self.lexical = similar.LexicalIndex() if model is None else None
        self.seen: tuple[dt.datetime, int] | None = None  # the last row read: time, id
        self.recent: dict[int, dt.datetime] = {}  # rows read that are younger than LOOKBACK
        self.by_reporter: dict[int, set[int]] = {}
        self.applied = 0  # rows put into the index (each look adds only what is new)
        self.lock = threading.Lock()

    def sync(self, s: Session) -> None:
        with self.lock:
            if self.model is not None:
                self._sync_vectors(s)
            else:
                self._sync_texts(s)

    def own(self, reporter_id: int) -> set[int]:
        with self.lock:
            return set(self.by_reporter.get(reporter_id, ()))

    def _sync_vectors(self, s: Session) -> None:
        v = IssueVector
        current = v.model == similar.VERSION
        if self.vectors is None:  # the first look: the matrix sized once for every row
            count = s.scalar(select(func.count()).select_from(v).where(current)) or 0
            self.vectors = similar.VectorIndex(similar.DIMENSION, capacity=count + 1024)
        query = (
            select(v.issue_id, v.title_vec, v.body_vec, v.updated_at, Issue.reporter_id)
            .join(Issue, Issue.id == v.issue_id)
            .where(current, self._newer(v.updated_at, v.issue_id))
            .order_by(v.updated_at, v.issue_id)
        )
        for issue_id, title_vec, body_vec, at, reporter_id in s.execute(query):
            if self._read_before(issue_id, at):
                continue
            title, body = decode(title_vec, body_vec)
            self.vectors.add(issue_id, similar.search_vector(title, body))
            self.by_reporter.setdefault(reporter_id, set()).add(issue_id)
        self._forget_old()

    def _sync_texts(self, s: Session) -> None:
        assert self.lexical is not None
        i = Issue
        query = (
            select(i.id, i.title, i.description, i.updated_at, i.reporter_id)
            .where(self._newer(i.updated_at, i.id))
            .order_by(i.updated_at, i.id)
        )
        for issue_id, title, description, at, reporter_id in s.execute(query):
            if self._read_before(issue_id, at):
                continue
            self.lexical.add(issue_id, f"{title}\n{similar.prepare_body(description)}")
            self.by_reporter.setdefault(reporter_id, set()).add(issue_id)
        self._forget_old()

    def _newer(self, at: Any, row_id: Any) -> Any:
        if self.seen is None:
            return true()
        seen_at, seen_id = self.seen
        recent = utcnow() - LOOKBACK
        # The lower bound alone lets the database read only the newest rows of its index on
        # the time (with the OR alone, SQLite read the whole index at every look).
        return and_(
            at >= min(seen_at, recent),
            or_(at > seen_at, and_(at == seen_at, row_id > seen_id), at >= recent),
        )

    def _read_before(self, issue_id: int, at: dt.datetime) -> bool:
        """Whether this row (as of `at`) is in the index already; notes it if not."""
        if self.recent.get(issue_id) == at:
            return True
        if at >= utcnow() - 2 * LOOKBACK:
            self.recent[issue_id] = at
        if self.seen is None or (at, issue_id) > self.seen:
            self.seen = (at, issue_id)
        self.applied += 1
        return False

    def _forget_old(self) -> None:
        horizon = utcnow() - 2 * LOOKBACK
        if any(at < horizon for at in self.recent.values()):
            self.recent = {k: at for k, at in self.recent.items() if at >= horizon}

    def forget(self, issue_ids: set[int]) -> None:
        """Issues found gone (deleted) leave the index."""
        with self.lock:
            for issue_id in issue_ids:
                if self.vectors is not None:
                    self.vectors.remove(issue_id)
                if self.lexical is not None:
                    self.lexical.remove(issue_id)
                for owned in self.by_reporter.values():
                    owned.discard(issue_id)


def index(s: Session) -> _Index:
    """This process's index for the connected database, up to date."""
    global _index
    model = embedder()
    engine = runtime().engine
    with _lock:
        if _index is None or _index.engine is not engine or _index.model is not model:
            _index = _Index(engine, model)
        current = _index
    current.sync(s)
    return current


def decode(title_vec: bytes, body_vec: bytes | None) -> tuple[Any, Any]:
    title = similar.from_bytes(title_vec, similar.DIMENSION)
    body = similar.from_bytes(body_vec, similar.DIMENSION) if body_vec else None
    return title, body


def warm() -> None:
    """Load the index now (at start-up, in the background), so the first person typing
    does not wait for it."""
    with session() as s:
        index(s)
