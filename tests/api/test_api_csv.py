"""CSV export (only what you may see, formulas neutralised) and import (dry run, then all
or nothing)."""

from __future__ import annotations

import csv
import io

import services
from tests.api.conftest import auth
from tests.factories import make_issue


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_export_neutralises_formulas_and_shows_only_what_you_may_see(http, people) -> None:
    make_issue(people["reporter"], title='=HYPERLINK("http://evil")', description="+1 -2 @x")
    make_issue(people["other"], title="Someone else's")
    response = await http.get("/api/v1/issues/export.csv", headers=auth(people["reporter"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response.text)
    assert [r["title"] for r in rows] == ['\'=HYPERLINK("http://evil")']
    assert rows[0]["description"] == "'+1 -2 @x" and rows[0]["reporter"] == "rep@example.com"
    everything = _csv(
        (
            await http.get(
                "/api/v1/issues/export.csv?severity=MEDIUM", headers=auth(people["admin"])
            )
        ).text
    )
    assert len(everything) == 2
    bad = await http.get(
        "/api/v1/issues/export.csv?sort=x&status=NOPE", headers=auth(people["admin"])
    )
    assert bad.status_code == 422


async def test_the_export_takes_every_filter_of_the_list_by_the_same_names(http, people) -> None:
    admin = people["admin"]
    make_issue(people["reporter"], title="Printer jams", severity="HIGH")
    make_issue(people["other"], title="Printer smokes", severity="HIGH")
    make_issue(admin, title="Fax is slow", severity="LOW", tags=["fax"])
    queries = [
        "reporter=rep%40example",  # part of the reporter's email: the export ignored it
        f"reporter_id={people['other'].id}",
        "status=OPEN&severity=HIGH",
        "severity=LOW,HIGH&q=printer",
        "tag=fax",
    ]
    for query in queries:
        listed = await http.get(f"/api/v1/issues?{query}", headers=auth(admin))
        exported = await http.get(f"/api/v1/issues/export.csv?{query}", headers=auth(admin))
        assert listed.status_code == exported.status_code == 200, query
        titles = sorted(i["title"] for i in listed.json()["items"])
        assert 0 < len(titles) < 3, query
        assert sorted(r["title"] for r in _csv(exported.text)) == titles, query


async def test_a_dry_run_reports_every_bad_row_and_writes_nothing(http, people) -> None:
    text = (
        "title,description,severity,tags\n"
        "Good one,fine,HIGH,\n"
        ",no title,LOW,\n"
        "Bad severity,x,APOCALYPTIC,\n"
        "Tags by a reporter,x,LOW,ui\n"
    )
    files = {"file": ("issues.csv", text.encode(), "text/csv")}
    dry = await http.post("/api/v1/issues/import", files=files, headers=auth(people["reporter"]))
    body = dry.json()
    assert dry.status_code == 200 and body["dry_run"] and body["imported"] == 0
    assert (body["rows"], body["valid"]) == (4, 1)
    assert [e["row"] for e in body["errors"]] == [3, 4, 5]
    real = await http.post(
        "/api/v1/issues/import?dry_run=false", files=files, headers=auth(people["reporter"])
    )
    assert real.status_code == 422 and "nothing was imported" in real.json()["detail"]
    with services.session() as s:
        assert services.issues.list_issues(s, people["admin"]).total == 0


async def test_an_export_imports_back_all_at_once(http, people, sent) -> None:
    make_issue(people["maintainer"], title="-starts with a minus", tags=["ui"], severity="LOW")
    make_issue(people["maintainer"], title="Second", description="multi\nline")
    exported = (await http.get("/api/v1/issues/export.csv", headers=auth(people["admin"]))).text
    sent.clear()
    response = await http.post(
        "/api/v1/issues/import?dry_run=false",
        headers=auth(people["admin"]),
        files={"file": ("back.csv", exported.encode("utf-8-sig"))},
    )
    body = response.json()
    assert response.status_code == 200 and body["imported"] == 2
    assert "status" in body["ignored_columns"] and "reporter" in body["ignored_columns"]
    with services.session() as s:
        copies = [services.issues.get_issue(s, people["admin"], i) for i in body["issue_ids"]]
    assert [c.title for c in copies] == ["-starts with a minus", "Second"]
    assert copies[0].tags == ["ui"] and copies[1].description == "multi\nline"
    assert all(c.status == "OPEN" and c.reporter.id == people["admin"].id for c in copies)
    assert [e.op for e in sent if e.kind == "issue"] == ["bulk"]


async def test_unreadable_or_unknown_csv_is_a_clear_422(http, people) -> None:
    headers = auth(people["admin"])
    for content in (b"name,colour\nx,red\n", b"title,secret_column\nx,y\n", b"\xff\xfe\x00bad"):
        response = await http.post(
            "/api/v1/issues/import", headers=headers, files={"file": ("x.csv", content)}
        )
        assert response.status_code == 422 and response.json()["detail"]
