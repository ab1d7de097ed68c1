"""Through the app (the real wiring, over HTTP in-process) with the files in a bucket:
uploads and downloads keep every permission check and the sandbox headers; a bucket that is
down answers 503 "try again" on both (never a 500) and shows in /healthz and /readyz."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

import services
from services.models import Attachment
from tests.api.conftest import auth, http, people  # noqa: F401 (shared fixtures)
from tests.factories import make_issue
from tests.pages.conftest import _app_env, sign_in  # noqa: F401 (the app's settings)
from tests.storage.conftest import local_files

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(5000)


def attachments() -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(Attachment)) or 0


async def test_upload_and_download_through_the_bucket_keep_checks_and_headers(
    http,  # noqa: F811
    people,  # noqa: F811
    s3_server,
    bucket,
) -> None:
    reporter = people["reporter"]
    issue = make_issue(reporter)
    created = await http.post(
        f"/api/v1/issues/{issue.id}/attachments",
        headers=auth(reporter),
        files={"file": ("screen.png", PNG, "image/png")},
    )
    assert created.status_code == 201, created.text
    assert created.json()["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert len(s3_server.keys(bucket)) == 1
    url = f"/api/v1/attachments/{created.json()['id']}"
    for who in ("reporter", "maintainer", "admin"):
        got = await http.get(url, headers=auth(people[who]))
        assert got.status_code == 200 and got.content == PNG, who
    assert got.headers["content-length"] == str(len(PNG))
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith('attachment; filename="screen.png"')
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-security-policy"].startswith("sandbox")
    assert (await http.get(url, headers=auth(people["other"]))).status_code == 404
    assert (await http.get(url)).status_code == 401
    page = await http.get(f"/attachments/{created.json()['id']}?inline=1")
    assert page.status_code == 401  # the page route too: no cookie, no file


async def test_a_bucket_that_is_down_is_a_503_try_again_never_a_500(
    http,  # noqa: F811
    people,  # noqa: F811
    s3_server,
    bucket,
) -> None:
    reporter = people["reporter"]
    issue = make_issue(reporter)
    upload_url = f"/api/v1/issues/{issue.id}/attachments"
    first = await http.post(
        upload_url, headers=auth(reporter), files={"file": ("a.png", PNG, "image/png")}
    )
    assert first.status_code == 201
    download_url = f"/api/v1/attachments/{first.json()['id']}"
    assert (await http.get("/healthz")).json()["storage"] == "ok"

    s3_server.stop()
    refused = await http.post(
        upload_url, headers=auth(reporter), files={"file": ("b.png", PNG, "image/png")}
    )
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert "Try again" in refused.json()["detail"]
    download = await http.get(download_url, headers=auth(reporter))
    assert download.status_code == 503 and "Try again" in download.json()["detail"]
    health = await http.get("/healthz")
    assert health.status_code == 200  # the process is alive: no restart for a bucket
    assert health.json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "disabled",
        "storage": "down",
        "storage_kind": "s3",
    }
    ready = (await http.get("/readyz")).json()
    assert ready["storage"] == "down" and ready["ready"] is True  # issues still work
    assert attachments() == 1 and local_files(services.runtime().upload_dir) == []

    s3_server.start()
    assert len(s3_server.keys(bucket)) == 1  # nothing half-written meanwhile
    again = await http.post(
        upload_url, headers=auth(reporter), files={"file": ("b.png", PNG, "image/png")}
    )
    assert again.status_code == 201
    assert (await http.get(download_url, headers=auth(reporter))).content == PNG
    assert (await http.get("/healthz")).json()["status"] == "ok"


async def test_the_download_page_streams_an_image_inline_from_the_bucket(
    user,
    http,  # noqa: F811
    s3_server,
    bucket,
) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    with services.session() as s:
        view = services.attachments.save_attachment(
            s, me, issue.id, filename="shot.png", content=PNG
        )
    got = await http.get(f"/attachments/{view.id}?inline=1")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-disposition"].startswith("inline;")
    assert got.headers["content-security-policy"].startswith("sandbox")
    s3_server.stop()
    down = await http.get(f"/attachments/{view.id}", headers={"Accept": "text/html"})
    assert down.status_code == 503 and "Try again" in down.text  # a page, for a browser
