"""Orphans: stored files no attachment points at. An upload writes its file before its row
commits, so a crash in between (or a delete while the storage was down) leaves one behind;
`tracker storage sweep` and a scheduled job remove those older than an hour. Young files
are never touched: their upload may still be committing."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import select

from ..db import session
from ..errors import InvalidInput
from ..models import Attachment

log = logging.getLogger(__name__)

ORPHAN_MIN_AGE = 3600.0  # seconds
# Most stored files named by no row means a database that is not this storage's (a wrong
# TRACKER_DATABASE_URL, a restore, two trackers on one prefix), not a pile of orphans.
SUSPICIOUS_SHARE, SUSPICIOUS_MIN = 0.5, 10


@dataclass(frozen=True)
class Swept:
    removed: int
    kept: int  # stored files that belong to an attachment
    young: int  # unknown files too young to judge
    aborted_uploads: int  # unfinished multipart uploads of a bucket

    def __str__(self) -> str:
        return (
            f"removed {self.removed} orphaned file(s), aborted {self.aborted_uploads} "
            f"unfinished upload(s); {self.kept} in use, {self.young} too young to judge"
        )


def sweep_orphans(
    *, min_age: float = ORPHAN_MIN_AGE, dry_run: bool = False, force: bool = False
) -> Swept:
    """Delete stored files older than `min_age` seconds that no attachment row names.
    The listing comes first and the rows second, so a file whose row committed meanwhile
    is seen as in use. StorageUnavailable when the storage is down, InvalidInput when most
    files would go (unless `force`): nothing is removed then."""
    from .. import files

    storage = files.storage()
    cutoff = time.time() - min_age
    listed = list(storage.listing())
    with session() as s:
        used = set(s.scalars(select(Attachment.stored_name)))
    orphans = [o.name for o in listed if o.name not in used and o.modified < cutoff]
    young = sum(1 for o in listed if o.name not in used and o.modified >= cutoff)
    if (
        not force
        and len(orphans) >= SUSPICIOUS_MIN
        and len(orphans) > SUSPICIOUS_SHARE * len(listed)
    ):
        raise InvalidInput(
            f"{len(orphans)} of the {len(listed)} stored files are named by no attachment: "
            "is this storage's database the one configured (TRACKER_DATABASE_URL), and no "
            "other tracker using the same bucket prefix? Nothing was removed; if they really "
            "are orphans, sweep with --force."
        )
    if not dry_run:
        for name in orphans:
            storage.delete(name)
    aborted = 0
    abort = getattr(storage, "abort_unfinished_uploads", None)
    if abort is not None:
        aborted = abort(older_than=cutoff, dry_run=dry_run)
    result = Swept(len(orphans), len(listed) - len(orphans) - young, young, aborted)
    if orphans or aborted:
        log.info("storage sweep: %s", result)
    return result


def run_sweep() -> str:
    """The scheduled job (RQ, or the embedded timer), recorded in job_runs."""
    from ..jobs import run_recorded

    return run_recorded("storage-sweep", lambda s: str(sweep_orphans()))
