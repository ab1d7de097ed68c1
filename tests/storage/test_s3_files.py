"""Attachments in a bucket, through the service layer, on both databases: stored under the
prefix with their checksum, read back whole, refused files leave nothing, a bucket that is
down (before or in the middle of an upload) leaves no row, no object and no local file,
and deleting an issue deletes its objects."""

from __future__ import annotations

import dataclasses
import hashlib
import threading

import pytest
from sqlalchemy import func, select

import services
from services.models import Attachment
from services.storage import sweep
from tests.factories import make_issue, make_user
from tests.storage.conftest import PREFIX, local_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
LINE = b"2026-12-04 10:00:01 INFO request served in 12 ms\n"


def attach(actor, issue_id: int, content: bytes, name: str = "screen.png"):
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=name, content=content
        )


def stored_name(attachment_id: int) -> str:
    with services.session() as s:
        return s.get(Attachment, attachment_id).stored_name


def rows() -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(Attachment)) or 0


def allow_large_files(monkeypatch: pytest.MonkeyPatch, megabytes: int) -> None:
    runtime = services.runtime()
    policy = dataclasses.replace(runtime.uploads, max_file_bytes=megabytes * 1024 * 1024)
    monkeypatch.setattr(runtime, "uploads", policy)


def test_a_file_goes_to_the_bucket_with_its_checksum_and_comes_back(db, s3_server, bucket):
    reporter, other = make_user(), make_user()
    issue = make_issue(reporter)
    view = attach(reporter, issue.id, PNG)
    name = stored_name(view.id)
    key = f"{PREFIX}/{name[:2]}/{name}"
    assert s3_server.keys(bucket) == [key]
    assert s3_server.head(bucket, key)["Metadata"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert local_files(services.runtime().upload_dir) == []  # nothing kept on this machine
    with services.session() as s:
        file = services.attachments.open_attachment(s, reporter, view.id)
    assert file.path is None and file.read_bytes() == PNG and file.size == len(PNG)
    with services.session() as s, pytest.raises(services.NotFound):
        services.attachments.open_attachment(s, other, view.id)


def test_a_large_file_goes_up_in_parts_and_keeps_its_checksum(db, s3_server, bucket, monkeypatch):
    allow_large_files(monkeypatch, 30)
    content = LINE * (20 * 1024 * 1024 // len(LINE))  # 20 MB of log
    me = make_user()
    view = attach(me, make_issue(me).id, content, "server.log")
    assert view.sha256 == hashlib.sha256(content).hexdigest()
    [key] = s3_server.keys(bucket)
    assert "-" in s3_server.head(bucket, key)["ETag"]  # a multipart upload's ETag
    with services.session() as s:
        back = services.attachments.open_attachment(s, me, view.id).read_bytes()
    assert hashlib.sha256(back).hexdigest() == view.sha256
    assert local_files(services.runtime().upload_dir) == []


@pytest.mark.parametrize(
    "content, error",
    [
        (b"<html><script>alert(1)</script></html>", services.UnsupportedType),
        (PNG + bytes(2 * 1024 * 1024), services.TooLarge),
        (b"", services.InvalidInput),
    ],
)
def test_a_refused_file_leaves_nothing_anywhere(db, s3_server, bucket, content, error):
    me = make_user()
    issue = make_issue(me)
    with pytest.raises(error):
        attach(me, issue.id, content, "page.png")
    assert s3_server.keys(bucket) == [] and rows() == 0
    assert local_files(services.runtime().upload_dir) == []


def test_a_bucket_that_is_down_gives_try_again_and_nothing_is_written(db, s3_server, bucket):
    me = make_user()
    issue = make_issue(me)
    s3_server.stop()
    with pytest.raises(services.StorageUnavailable, match="Try again"):
        attach(me, issue.id, PNG)
    assert rows() == 0 and local_files(services.runtime().upload_dir) == []
    s3_server.start()
    assert s3_server.keys(bucket) == []
    assert attach(me, issue.id, PNG).size == len(PNG)  # and it works again once it is back


def test_a_server_stopped_mid_upload_leaves_no_object_no_row_and_the_sweep_clears_parts(
    db, s3_server, bucket, monkeypatch
):
    allow_large_files(monkeypatch, 30)
    content = LINE * (20 * 1024 * 1024 // len(LINE))
    me = make_user()
    issue = make_issue(me)
    parts, lock = [], threading.Lock()

    def stop_after_first_part(**_: object) -> None:
        with lock:
            parts.append(1)
            if len(parts) == 1:
                s3_server.stop()

    client = services.files.storage().client
    client.meta.events.register("after-call.s3.UploadPart", stop_after_first_part)
    try:
        with pytest.raises(services.StorageUnavailable):
            attach(me, issue.id, content, "server.log")
    finally:
        client.meta.events.unregister("after-call.s3.UploadPart", stop_after_first_part)
    assert parts and not s3_server.running
    assert rows() == 0 and local_files(services.runtime().upload_dir) == []
    s3_server.start()
    assert s3_server.keys(bucket) == []  # no object: a multipart upload is all or nothing
    assert len(s3_server.unfinished_uploads(bucket)) == 1  # its parts, invisible, cost space
    swept = sweep.sweep_orphans(min_age=0)
    assert swept.aborted_uploads == 1 and s3_server.unfinished_uploads(bucket) == []


def test_a_failed_commit_removes_the_object_it_wrote(db, s3_server, bucket, monkeypatch):
    me = make_user()
    issue = make_issue(me)

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.hooks, "written", broken)
    with pytest.raises(RuntimeError):
        attach(me, issue.id, PNG)
    assert s3_server.keys(bucket) == [] and rows() == 0


def test_deleting_an_issue_deletes_its_objects(db, s3_server, bucket):
    admin = make_user("ADMIN")
    keep, drop = make_issue(admin), make_issue(admin)
    kept = attach(admin, keep.id, PNG)
    attach(admin, drop.id, PNG)
    attach(admin, drop.id, LINE, "app.log")
    assert len(s3_server.keys(bucket)) == 3
    with services.session() as s:
        services.issues.delete_issue(s, admin, drop.id)
    name = stored_name(kept.id)
    assert s3_server.keys(bucket) == [f"{PREFIX}/{name[:2]}/{name}"]


def test_orphans_are_swept_but_files_in_use_and_young_ones_stay(db, s3_server, bucket):
    me = make_user()
    view = attach(me, make_issue(me).id, PNG)
    orphan = services.files.store_blob(b"left by a crash between the object and the commit")
    assert len(s3_server.keys(bucket)) == 2
    young = sweep.sweep_orphans()  # one hour by default: it may be committing
    assert (young.removed, young.young, young.kept) == (0, 1, 1)
    swept = sweep.sweep_orphans(min_age=0)
    assert (swept.removed, swept.kept) == (1, 1)
    assert all(orphan not in key for key in s3_server.keys(bucket))
    with services.session() as s:
        assert services.attachments.open_attachment(s, me, view.id).read_bytes() == PNG


def test_a_missing_object_is_not_found_not_an_error(db, s3_server, bucket):
    me = make_user()
    view = attach(me, make_issue(me).id, PNG)
    name = stored_name(view.id)
    s3_server.client().delete_object(Bucket=bucket, Key=f"{PREFIX}/{name[:2]}/{name}")
    with services.session() as s, pytest.raises(services.NotFound):
        services.attachments.open_attachment(s, me, view.id)
