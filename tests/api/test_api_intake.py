"""The intake over HTTP: an attachment's analysis, its correction by staff only, crash
signatures and invoice sums, with the same visibility as everywhere else."""

from __future__ import annotations

from sqlalchemy import select, update

import services
from services.intake import pipeline
from services.intake.models import Analysis, CrashSignature
from tests.api.conftest import auth
from tests.factories import make_issue

ONE = "app.jobs.Sync"


def _attached(actor, content: bytes = b"line one\n", name: str = "a.log") -> tuple[int, int]:
    issue = make_issue(actor)
    with services.session() as s:
        file = services.attachments.save_attachment(
            s, actor, issue.id, filename=name, content=content
        )
    with services.session() as s:
        analysis_id = s.scalar(select(Analysis.id).where(Analysis.attachment_id == file.id))
    pipeline.run_analysis(analysis_id)
    return issue.id, file.id


async def test_an_analysis_is_read_by_whoever_may_see_the_file(http, people) -> None:
    _, file_id = _attached(people["reporter"])
    mine = await http.get(
        f"/api/v1/attachments/{file_id}/analysis", headers=auth(people["reporter"])
    )
    assert mine.status_code == 200
    body = mine.json()
    assert (body["status"], body["kind"], body["text"]) == ("done", "text", "line one\n")
    assert body["fields"] == {"lines": 1} and body["analysed_at"]
    theirs = await http.get(
        f"/api/v1/attachments/{file_id}/analysis", headers=auth(people["other"])
    )
    missing = await http.get("/api/v1/attachments/999999/analysis", headers=auth(people["other"]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


async def test_only_staff_correct_and_bad_values_are_422(http, people) -> None:
    _, file_id = _attached(people["reporter"])
    path = f"/api/v1/attachments/{file_id}/analysis"
    refused = await http.patch(
        path, json={"fields": {"vendor": "X"}}, headers=auth(people["reporter"])
    )
    assert refused.status_code == 403
    bad = await http.patch(
        path, json={"fields": {"total": "lots"}}, headers=auth(people["maintainer"])
    )
    assert bad.status_code == 422 and "total" in bad.text
    extra = await http.patch(
        path, json={"fields": {}, "status": "done"}, headers=auth(people["maintainer"])
    )
    assert extra.status_code == 422
    ok = await http.patch(
        path, json={"fields": {"vendor": "ACME Corp"}}, headers=auth(people["maintainer"])
    )
    assert ok.status_code == 200
    assert ok.json()["fields"]["vendor"] == "ACME Corp" and ok.json()["corrected"] == ["vendor"]


async def test_signatures_and_invoice_sums_are_scoped(http, people) -> None:
    mine, _ = _attached(people["reporter"])
    theirs, _ = _attached(people["other"])
    with services.session() as s:
        for issue_id in (mine, theirs):
            analysis = s.scalar(select(Analysis).where(Analysis.issue_id == issue_id))
            s.add(
                CrashSignature(
                    analysis_id=analysis.id,
                    issue_id=issue_id,
                    fingerprint="f1",
                    language="python",
                    exception="KeyError",
                    top_frame=ONE,
                )
            )
        s.execute(
            update(Analysis)
            .where(Analysis.source == "attachment")
            .values(
                kind="invoice",
                fields={
                    "total": "10.50",
                    "currency": "EUR",
                    "invoice_date": "2026-11-30",
                    "vendor": "ACME",
                },
            )
        )
        s.commit()
    staff = (await http.get("/api/v1/stats/signatures", headers=auth(people["admin"]))).json()
    assert [(i["fingerprint"], i["issues"], i["reporters"]) for i in staff["items"]] == [
        ("f1", 2, 2)
    ]
    own = (await http.get("/api/v1/stats/signatures", headers=auth(people["reporter"]))).json()
    assert [(i["issues"], i["reporters"]) for i in own["items"]] == [(1, 1)]

    by_month = await http.get("/api/v1/stats/invoices", headers=auth(people["admin"]))
    assert by_month.json()["items"] == [
        {"key": "2026-11", "currency": "EUR", "count": 2, "total": "21.00"}
    ]
    by_vendor = await http.get(
        "/api/v1/stats/invoices?group=vendor", headers=auth(people["reporter"])
    )
    assert by_vendor.json()["items"] == [
        {"key": "ACME", "currency": "EUR", "count": 1, "total": "10.50"}
    ]
    wrong = await http.get("/api/v1/stats/invoices?group=week", headers=auth(people["admin"]))
    assert wrong.status_code == 422


async def test_issues_carry_their_crash_signatures(http, people) -> None:
    me = people["maintainer"]
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/sync.py", line 7, in pull\n'
        "    rows = fetch()\n"
        "TimeoutError: upstream took too long\n"
    )
    crashed = make_issue(me, title="Sync times out", description=trace)
    make_issue(me, title="Unrelated")
    with services.session() as s:
        ids = s.scalars(select(Analysis.id)).all()
    for analysis_id in ids:
        pipeline.run_analysis(analysis_id)
    one = (await http.get(f"/api/v1/issues/{crashed.id}", headers=auth(me))).json()
    [fingerprint] = one["signatures"]
    listed = await http.get(f"/api/v1/issues?signature={fingerprint}", headers=auth(me))
    assert [(i["id"], i["signatures"]) for i in listed.json()["items"]] == [
        (crashed.id, [fingerprint])
    ]
