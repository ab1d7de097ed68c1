"""The local directory backend (the default) under the storage interface: the orphan sweep
removes only old files no attachment names and never touches files in flight; a migration
to another directory copies and verifies every file."""

from __future__ import annotations

import os
import time

import pytest

import services
from services.storage import open_storage
from services.storage.migrate import migrate
from services.storage.sweep import sweep_orphans
from tests.factories import make_issue, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


def attach(actor, issue_id: int, content: bytes = PNG) -> services.AttachmentView:
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename="shot.png", content=content
        )


def age(path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_the_sweep_removes_old_orphans_only(db):
    me = make_user()
    view = attach(me, make_issue(me).id)
    storage = services.files.storage()
    old_orphan = services.files.store_blob(b"left by a crash")
    young_orphan = services.files.store_blob(b"its upload is committing")
    with services.session() as s:
        staged = services.attachments.stage_file(s, me, filename="w.png", content=PNG)
    for name in (old_orphan, *(o.name for o in storage.listing())):
        age(storage.local_path(name), 2)
    age(storage.local_path(young_orphan), 0)
    age(staged.staged.path, 2)  # files in flight belong to the staging sweep, not this one
    swept = sweep_orphans()
    assert (swept.removed, swept.kept, swept.young) == (1, 1, 1)
    assert storage.stat(old_orphan) is None and storage.stat(young_orphan) is not None
    assert staged.staged.path.exists()
    with services.session() as s:
        assert services.attachments.open_attachment(s, me, view.id).read_bytes() == PNG


def test_a_migration_to_another_directory_copies_and_verifies(db, tmp_path):
    me = make_user()
    issue = make_issue(me)
    views = [attach(me, issue.id, PNG + bytes([i])) for i in range(3)]
    target = open_storage(str(tmp_path / "new"), local_dir=tmp_path)
    ticks = []
    report = migrate(services.files.storage(), target, progress=ticks.append)
    assert (report.copied, report.already, report.complete) == (3, 0, True) and len(ticks) == 3
    again = migrate(services.files.storage(), target)
    assert (again.copied, again.already) == (0, 3)
    with services.session() as s:
        for view in views:
            name = s.get(services.models.Attachment, view.id).stored_name
            assert target.local_path(name).read_bytes() == PNG + bytes([views.index(view)])


def test_a_missing_file_is_reported_by_the_migration(db, tmp_path):
    me = make_user()
    view = attach(me, make_issue(me).id)
    with services.session() as s:
        name = s.get(services.models.Attachment, view.id).stored_name
    services.files.storage().delete(name)
    report = migrate(
        services.files.storage(), open_storage(str(tmp_path / "n"), local_dir=tmp_path)
    )
    assert report.failed == [(name, "missing from the current storage")]
    assert not report.complete


def test_the_sweep_refuses_when_most_files_belong_to_no_row(db):
    """A database that is not this storage's (a wrong URL, a restore) must not empty it."""
    me = make_user()
    attach(me, make_issue(me).id)
    storage = services.files.storage()
    strays = [services.files.store_blob(b"another tracker's file %d" % i) for i in range(12)]
    for name in strays:
        age(storage.local_path(name), 2)
    with pytest.raises(services.InvalidInput, match="12 of the 13 stored files"):
        sweep_orphans()
    assert all(storage.stat(name) is not None for name in strays)
    assert sweep_orphans(force=True).removed == 12


def test_the_scheduled_sweep_is_recorded_in_job_runs(db):
    from services.storage.sweep import run_sweep

    admin = make_user("ADMIN")
    services.files.store_blob(b"young orphan")
    assert run_sweep().startswith("removed 0 orphaned file(s)")
    with services.session() as s:
        overview = {j.name: j for j in services.jobs.job_overview(s, admin)}
    assert overview["storage-sweep"].last_ok is True
    assert "1 too young to judge" in overview["storage-sweep"].last_message
