"""The background readers with the files in a bucket: the sandboxed reader gets a local
copy (deleted afterwards), a photo's location-free copy replaces the original in the bucket,
and an admin's redaction rewrites the object."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from sqlalchemy import select

import services
from services.intake import pipeline
from services.intake.models import Analysis
from tests.factories import make_issue, make_user
from tests.storage.conftest import PREFIX

CORPUS = Path(__file__).parents[1] / "intake" / "corpus"
SECRET_LOG = b"deploy ok\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9kS3xT7q\n"
TRACE = (
    b"Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nKeyError: 'id'\n"
)


def attach(actor, issue_id: int, content: bytes, name: str) -> int:
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=name, content=content
        ).id


def analyse(attachment_id: int) -> str:
    with services.session() as s:
        row = s.scalar(select(Analysis).where(Analysis.attachment_id == attachment_id))
        analysis_id = row.id
    return pipeline.run_analysis(analysis_id)


def copies_left() -> list[str]:
    return [p.name for p in Path(tempfile.gettempdir()).glob("tracker-stored-*")]


def test_a_log_in_the_bucket_is_read_through_a_local_copy_that_goes_away(
    db, s3_server, bucket, tmp_path, monkeypatch
):
    # Temporary files in a folder of this test's own: other workers' copies come and go in
    # the machine's temporary folder meanwhile.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    me = make_user()
    file_id = attach(me, make_issue(me).id, TRACE, "crash.log")
    before = copies_left()
    assert analyse(file_id).endswith(": done")
    assert copies_left() == before
    with services.session() as s:
        view = services.intake.analysis_of_attachment(s, me, file_id)
    assert view.status == "done" and "KeyError" in view.text


def test_a_photo_without_its_location_replaces_the_original_in_the_bucket(
    db, s3_server, bucket, monkeypatch
):
    import dataclasses

    import piexif

    runtime = services.runtime()
    policy = dataclasses.replace(runtime.uploads, max_file_bytes=20 * 1024 * 1024)
    monkeypatch.setattr(runtime, "uploads", policy)
    photo = (CORPUS / "photos" / "train" / "canon_street.jpg").read_bytes()
    me = make_user()
    file_id = attach(me, make_issue(me).id, photo, "street.jpg")
    [original] = s3_server.keys(bucket)
    assert analyse(file_id).endswith(": done")
    [cleaned] = s3_server.keys(bucket)
    assert cleaned != original and cleaned.startswith(f"{PREFIX}/")
    with services.session() as s:
        stored = services.attachments.open_attachment(s, me, file_id)
    data = stored.read_bytes()
    assert (
        not piexif.load(data).get("GPS") and stored.view.sha256 == hashlib.sha256(data).hexdigest()
    )
    assert analyse(file_id).endswith(": unchanged")


def test_an_admin_redacts_a_text_file_in_the_bucket(db, s3_server, bucket):
    admin = make_user("ADMIN")
    file_id = attach(admin, make_issue(admin).id, SECRET_LOG, "deploy.log")
    [before] = s3_server.keys(bucket)
    with services.session() as s:
        services.intake.redact_secrets(s, admin, file_id)
    [after] = s3_server.keys(bucket)
    with services.session() as s:
        stored = services.attachments.open_attachment(s, admin, file_id).read_bytes()
    assert after != before and b"wJalrXUtnFEMI" not in stored and b"deploy ok" in stored
