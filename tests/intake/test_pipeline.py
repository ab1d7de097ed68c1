"""The analysis pipeline on both databases: a committed file or text gets a pending
analysis in the same transaction, the job reads it (files in the sandbox) and stores what it
found, once; a hostile file fails with a reason; staff corrections win, are in the timeline
and survive a reprocess; permissions are those of the file."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

import services
from services.intake import dispatch, pipeline
from services.intake.models import Analysis, AnalysisStatus
from tests.factories import make_issue, make_user

ROOT = str(Path(__file__).resolve().parents[2])
LOG = b"2026-12-04 10:00:01 INFO started\n2026-12-04 10:00:02 ERROR it broke\n"


def attach(actor, issue_id: int, content: bytes = LOG, name: str = "app.log") -> int:
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=name, content=content
        ).id


def analysis_row(attachment_id: int) -> Analysis:
    with services.session() as s:
        row = s.scalar(select(Analysis).where(Analysis.attachment_id == attachment_id))
        assert row is not None
        s.expunge(row)
        return row


def run(attachment_id: int) -> str:
    return pipeline.run_analysis(analysis_row(attachment_id).id)


def test_a_file_is_pending_at_commit_then_read_once(db, sent) -> None:
    reporter = make_user()
    issue = make_issue(reporter)
    file_id = attach(reporter, issue.id)
    pending = analysis_row(file_id)
    assert pending.status == AnalysisStatus.PENDING and pending.issue_id == issue.id

    assert run(file_id).endswith(": done")
    done = analysis_row(file_id)
    assert (done.kind, done.fields, done.text) == ("text", {"lines": 2}, LOG.decode())
    assert done.version.startswith("text1") and done.finished_at is not None
    assert any(e.kind == "analysis" and e.issue_id == issue.id for e in sent)

    assert run(file_id).endswith(": unchanged")  # idempotent: the same version, the same bytes
    assert analysis_row(file_id).finished_at == done.finished_at
    with services.session() as s:
        view = services.intake.analysis_of_attachment(s, reporter, file_id)
    assert view.status == "done" and view.text == LOG.decode()


def test_descriptions_and_comments_are_analysed_as_text(db, sent) -> None:
    """A short text is read in the transaction that writes it; a long one by the job."""
    me = make_user("MAINTAINER")
    issue = make_issue(me, description="Fails with `KeyError: 'id'`")
    long = "Full log:\n" + "INFO all is well\n" * (pipeline.INLINE_CHARS // 16)
    with services.session() as s:
        services.comments.add_comment(s, me, issue.id, {"body": "again today"})
        services.comments.add_comment(s, me, issue.id, {"body": long})
    with services.session() as s:
        rows = s.scalars(select(Analysis).where(Analysis.issue_id == issue.id)).all()
    statuses = sorted((r.source, r.status, len(r.text)) for r in rows)
    assert statuses == [
        ("comment", AnalysisStatus.DONE, len("again today")),
        ("comment", AnalysisStatus.PENDING, 0),
        ("description", AnalysisStatus.DONE, len("Fails with `KeyError: 'id'`")),
    ]
    assert not any(e.kind == "analysis" for e in sent)  # nothing found: no second refresh
    for row in rows:
        done = row.status == AnalysisStatus.DONE
        assert pipeline.run_analysis(row.id).endswith(": unchanged" if done else ": done")
    with services.session() as s:
        views = services.intake.analyses_of_issue(s, me, issue.id)
    assert sorted(v.text for v in views if v.source == "comment") == sorted(["again today", long])
    assert [v.text for v in views if v.source == "description"] == ["Fails with `KeyError: 'id'`"]
    assert all(v.status == "done" and v.version.startswith("text") for v in views)


@pytest.mark.parametrize(
    "function, reason",
    [("spin", "processor time"), ("crash", "crashed"), ("refuse", "40 megapixels")],
)
def test_a_hostile_file_fails_with_a_reason_and_the_worker_lives(
    db, monkeypatch, function, reason
) -> None:
    monkeypatch.setitem(pipeline.EXTRACTORS, "text/plain", ("tests.intake.hostile", function))
    monkeypatch.setattr(
        pipeline,
        "config",
        pipeline.Config(
            caps=pipeline.sandbox.Caps(cpu_seconds=1, wall_seconds=60), sys_path=[ROOT]
        ),
    )
    me = make_user()
    file_id = attach(me, make_issue(me).id)
    assert run(file_id).endswith(": failed")
    row = analysis_row(file_id)
    assert row.status == AnalysisStatus.FAILED and reason in row.error
    with services.session() as s:  # this process is fine and the file is still there
        assert services.attachments.open_attachment(s, me, file_id).path.read_bytes() == LOG


def test_staff_corrections_win_are_recorded_and_survive_a_reprocess(db, sent) -> None:
    reporter, maintainer = make_user(), make_user("MAINTAINER")
    issue = make_issue(reporter)
    file_id = attach(reporter, issue.id, b"ACME Corp\nInvoice 17\nTotal 12.00 EUR\n", "inv.txt")
    run(file_id)
    with services.session() as s:  # as if the invoice reader had got the vendor wrong
        s.execute(
            update(Analysis)
            .where(Analysis.attachment_id == file_id)
            .values(fields={"vendor": "Invoice 17", "total": "12.00"})
        )
        s.commit()
    with services.session() as s, pytest.raises(services.PermissionDenied):
        services.intake.correct_fields(s, reporter, file_id, {"vendor": "Mine"})
    with services.session() as s, pytest.raises(services.NotFound):
        services.intake.correct_fields(s, make_user(), file_id, {"vendor": "Theirs"})
    with services.session() as s, pytest.raises(services.InvalidInput) as bad:
        services.intake.correct_fields(s, maintainer, file_id, {"total": "twelve", "owner": "x"})
    assert "total: must be an amount" in bad.value.message and "owner" in bad.value.message

    with services.session() as s:
        fixed = services.intake.correct_fields(s, maintainer, file_id, {"vendor": "ACME Corp"})
    assert fixed.fields == {"vendor": "ACME Corp", "total": "12.00"}
    assert fixed.corrected == ["vendor"]
    with services.session() as s:
        timeline = services.activity.list_activity(s, reporter, issue.id)
    [entry] = [a for a in timeline if a.field.startswith("vendor")]
    assert (entry.old_value, entry.new_value) == ("Invoice 17", "ACME Corp")
    assert entry.actor.id == maintainer.id

    with services.session() as s:  # an upgrade: the reader's version changes, all is re-read
        s.execute(update(Analysis).where(Analysis.attachment_id == file_id).values(version="old"))
        s.commit()
    assert services.intake.reprocess() == 1
    with services.session() as s:
        again = services.intake.analysis_of_attachment(s, maintainer, file_id)
    assert again.fields["vendor"] == "ACME Corp" and again.corrected == ["vendor"]


def test_analyses_are_seen_only_by_who_may_see_the_file(db) -> None:
    owner, other, admin = make_user(), make_user(), make_user("ADMIN")
    file_id = attach(owner, make_issue(owner).id)
    run(file_id)
    with services.session() as s:
        assert services.intake.analysis_of_attachment(s, admin, file_id).status == "done"
    with services.session() as s, pytest.raises(services.NotFound):
        services.intake.analysis_of_attachment(s, other, file_id)
    with services.session() as s, pytest.raises(services.NotFound):
        services.intake.analyses_of_issue(s, other, analysis_row(file_id).issue_id)


def test_deleting_the_issue_takes_its_analyses_along(db) -> None:
    admin = make_user("ADMIN")
    issue = make_issue(admin, description="has text")
    attach(admin, issue.id)
    with services.session() as s:
        services.issues.delete_issue(s, admin, issue.id)
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(Analysis)) == 0


def test_in_the_embedded_default_a_committed_file_is_read_in_the_background(
    db, monkeypatch
) -> None:
    monkeypatch.setattr(dispatch, "enabled", True)
    me = make_user()
    file_id = attach(me, make_issue(me).id)
    dispatch.wait_idle()
    assert analysis_row(file_id).status == AnalysisStatus.DONE


def test_pending_rows_that_never_reached_a_worker_are_swept_up(db, monkeypatch) -> None:
    me = make_user()
    file_id = attach(me, make_issue(me).id)  # the hand-over is off: it stays pending
    with services.session() as s:
        s.execute(
            update(Analysis).values(created_at=services.models.utcnow() - dt.timedelta(hours=1))
        )
        s.commit()
    monkeypatch.setattr(dispatch, "enabled", True)
    assert services.intake.sweep() == 1  # the file (the short description was read at once)
    dispatch.wait_idle()
    assert analysis_row(file_id).status == AnalysisStatus.DONE


TRACE = """Checkout fails:

Traceback (most recent call last):
  File "/srv/shop/checkout/views.py", line {line}, in submit
    total = cart.total()
  File "/srv/shop/checkout/cart.py", line 88, in total
    return sum(prices[item_id] for item_id in self.items)
KeyError: '{item}'
"""


def test_the_same_crash_in_two_issues_is_one_signature(db, sent) -> None:
    alice, bob, staff = make_user(), make_user(), make_user("MAINTAINER")
    first = make_issue(alice, description=TRACE.format(line=41, item="sku-1"))
    second = make_issue(bob, title="Cart broken")
    with services.session() as s:  # the same crash, pasted from another build and cart
        services.comments.add_comment(s, bob, second.id, {"body": TRACE.format(line=57, item="x9")})
    with services.session() as s:  # found when the texts were written: no job ran
        assert s.scalar(select(func.count()).select_from(Analysis)) == 3
    assert {e.issue_id for e in sent if e.kind == "analysis"} == {first.id, second.id}
    with services.session() as s:
        [sig] = services.intake.signatures_of_issue(s, staff, first.id)
        assert (sig.exception, sig.issues, sig.reporters) == ("KeyError", 2, 2)
        assert "cart.py" in sig.top_frame or "total" in sig.top_frame
        [own] = services.intake.signatures_of_issue(s, alice, first.id)
        assert (own.issues, own.reporters) == (1, 1)  # a reporter counts only their own
        [finding] = [
            f for a in services.intake.analyses_of_issue(s, alice, first.id) for f in a.findings
        ]
    assert finding["type"] == "stack_trace" and finding["fingerprint"] == sig.fingerprint


def test_editing_the_trace_out_of_a_description_takes_its_signature_away(db, sent) -> None:
    me = make_user("MAINTAINER")
    issue = make_issue(me, description=TRACE.format(line=3, item="a"))
    with services.session() as s:
        assert len(services.intake.signatures_of_issue(s, me, issue.id)) == 1
    sent.clear()
    with services.session() as s:
        services.issues.update_issue(s, me, issue.id, {"description": "Fixed by a retry."})
    with services.session() as s:
        assert services.intake.signatures_of_issue(s, me, issue.id) == []
        [view] = services.intake.analyses_of_issue(s, me, issue.id)
    assert view.text == "Fixed by a retry." and view.findings == []
    assert [e.issue_id for e in sent if e.kind == "analysis"] == [issue.id]


def test_the_csv_export_carries_signatures_and_the_first_invoice(db) -> None:
    import csv
    import io

    staff = make_user("MAINTAINER")
    issue = make_issue(staff, description=TRACE.format(line=3, item="a"))
    file_id = attach(staff, issue.id, b"ACME\n", "invoice.txt")
    with services.session() as s:
        ids = s.scalars(select(Analysis.id)).all()
    for analysis_id in ids:
        pipeline.run_analysis(analysis_id)
    with services.session() as s:
        s.execute(
            update(Analysis)
            .where(Analysis.attachment_id == file_id)
            .values(
                kind="invoice", fields={"vendor": "Bill to", "total": "5.00", "currency": "EUR"}
            )
        )
        s.commit()
    with services.session() as s:
        services.intake.correct_fields(s, staff, file_id, {"vendor": "ACME"})
    with services.session() as s:
        text = "".join(services.csvio.write_csv(services.csvio.export_rows(s, staff)))
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["invoice_vendor"], row["invoice_total"], row["invoice_currency"]) == (
        "ACME",
        "5.00",
        "EUR",
    )
    with services.session() as s:
        [sig] = services.intake.signatures_of_issue(s, staff, issue.id)
    assert row["crash_signatures"] == sig.fingerprint


CORPUS = Path(__file__).parent / "corpus" / "invoices" / "train"


@pytest.mark.parametrize("name", ["inv-00-en-classic.pdf", "scan-44-en-letterhead.pdf"])
def test_an_invoice_pdf_becomes_fields_through_the_sandbox(db, name) -> None:
    """The real reader, in the real child process: a text PDF, and a scan read by OCR."""
    import json

    expected = json.loads((CORPUS / "labels.json").read_text())[name]["fields"]
    me = make_user()
    file_id = attach(me, make_issue(me).id, (CORPUS / name).read_bytes(), name)
    assert run(file_id).endswith(": done")
    with services.session() as s:
        view = services.intake.analysis_of_attachment(s, me, file_id)
    assert view.kind == "invoice"
    for field in ("invoice_date", "total", "currency", "vendor"):
        assert view.fields[field] == expected[field], field
    assert expected["vendor"].split()[0] in view.text


IMAGES = Path(__file__).parent / "corpus"


def test_a_photo_loses_its_location_and_a_screenshot_is_read(db) -> None:
    """The real image reader in the sandbox: the stored photo is replaced by one without
    GPS data (image data untouched), a thumbnail is kept, and a screenshot's text is
    searchable, the error code included."""
    import piexif

    me = make_user()
    issue = make_issue(me, title="Checkout unreachable")
    photo = (IMAGES / "photos" / "train" / "canon_street.jpg").read_bytes()
    assert piexif.load(photo)["GPS"]  # the upload has a location
    photo_id = attach(me, issue.id, photo, "street.jpg")
    shot = (IMAGES / "screenshots" / "train" / "chrome_unreachable-1x-light.png").read_bytes()
    shot_id = attach(me, issue.id, shot, "error.png")
    assert run(photo_id).endswith(": done") and run(shot_id).endswith(": done")
    with services.session() as s:
        stored = services.attachments.open_attachment(s, me, photo_id)
        view = services.intake.analysis_of_attachment(s, me, photo_id)
        thumbnail = services.intake.thumbnail_of(s, me, photo_id)
    assert not piexif.load(stored.path.read_bytes()).get("GPS")
    assert view.fields["location_removed"] is True and view.fields["camera"] == "Canon EOS R6"
    assert stored.view.sha256 != hashlib.sha256(photo).hexdigest()
    assert thumbnail is not None and thumbnail[1] in ("image/jpeg", "image/png")
    assert run(photo_id).endswith(": unchanged")  # the cleaned photo is what was read
    with services.session() as s:
        found = services.issues.list_issues(s, me, q="ERR_CONNECTION_REFUSED").items
    assert [i.id for i in found] == [issue.id]


def test_secrets_are_masked_in_what_was_read(db) -> None:
    me = make_user()
    log = b"deploy ok\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9kS3xT7q\n"
    file_id = attach(me, make_issue(me).id, log, "deploy.log")
    run(file_id)
    with services.session() as s:
        view = services.intake.analysis_of_attachment(s, me, file_id)
    assert "wJalrXUtnFEMI" not in view.text and view.secrets_masked == 1
    with services.session() as s:  # a secret in a file is not a way to find the issue
        assert services.issues.list_issues(s, me, q="wJalrXUtnFEMI").items == []


def test_a_typed_secret_is_masked_in_the_export(db) -> None:
    import csv
    import io

    me = make_user()
    make_issue(me, description="Connect with postgres://app:S3cr3t-Pa55@db.internal/shop")
    with services.session() as s:
        text = "".join(services.csvio.write_csv(services.csvio.export_rows(s, me)))
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert "S3cr3t-Pa55" not in text and "db.internal/shop" in row["description"]


def test_an_admin_redacts_the_secrets_of_a_stored_text_file(db) -> None:
    admin, maintainer = make_user("ADMIN"), make_user("MAINTAINER")
    log = b"deploy ok\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9kS3xT7q\n"
    issue = make_issue(maintainer)
    file_id = attach(maintainer, issue.id, log, "deploy.log")
    run(file_id)
    with services.session() as s, pytest.raises(services.PermissionDenied):
        services.intake.redact_secrets(s, maintainer, file_id)
    with services.session() as s:
        services.intake.redact_secrets(s, admin, file_id)
    with services.session() as s:
        stored = services.attachments.open_attachment(s, admin, file_id).path.read_bytes()
        timeline = services.activity.list_activity(s, admin, issue.id)
    assert b"wJalrXUtnFEMI" not in stored and b"deploy ok" in stored
    assert timeline[-1].field == "redacted" and "deploy.log" in timeline[-1].new_value
    with services.session() as s, pytest.raises(services.InvalidInput):  # nothing left
        services.intake.redact_secrets(s, admin, file_id)


def test_a_log_inside_a_zip_gives_its_crash_and_a_bomb_fails(db) -> None:
    import io
    import zipfile

    me = make_user()
    issue = make_issue(me, description="")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("logs/app.log", TRACE.format(line=9, item="zz"))
        z.writestr("readme.txt", "hello")
    zip_id = attach(me, issue.id, archive.getvalue(), "logs.zip")
    assert run(zip_id).endswith(": done")
    with services.session() as s:
        view = services.intake.analysis_of_attachment(s, me, zip_id)
        [sig] = services.intake.signatures_of_issue(s, me, issue.id)
    assert view.kind == "zip" and sig.exception == "KeyError"
    assert {f["name"] for f in view.findings if f["type"] == "zip_entry"} == {
        "logs/app.log",
        "readme.txt",
    }

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.log", b"\0" * 200_000_000)  # 200 MB of zeros in about 200 KB
    bomb_id = attach(me, issue.id, bomb.getvalue(), "bomb.zip")
    assert run(bomb_id).endswith(": failed")
    assert analysis_row(bomb_id).error.startswith("A zip bomb: zeros.log expands")
