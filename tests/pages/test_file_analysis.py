"""The issue page shows what was read from each file: "Analysing…" until the background job
is done, then the result without a reload; staff correct a field in a dialog."""

from __future__ import annotations

import html
import re

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select, update

import services
from services.intake import pipeline
from services.intake.models import Analysis
from tests.factories import make_issue
from tests.pages.conftest import filter_list, sign_in, titles, until


def _attach(actor, issue_id: int, content: bytes, name: str) -> int:
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=name, content=content
        ).id


def _analysis_id(attachment_id: int) -> int:
    with services.session() as s:
        return s.scalar(select(Analysis.id).where(Analysis.attachment_id == attachment_id))


async def test_the_analysis_appears_live(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    file_id = _attach(me, issue.id, b"Build 4711 failed: disk quota exceeded\n", "build.log")
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Analysing…")
    pipeline.run_analysis(_analysis_id(file_id))  # the background job, done elsewhere
    await user.should_see("Text read from the file", retries=100)
    await user.should_not_see("Analysing…")
    await user.should_see("Build 4711 failed: disk quota exceeded")


async def test_a_failed_analysis_says_why(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    file_id = _attach(me, issue.id, b"x\n", "empty.log")
    with services.session() as s:
        s.execute(
            update(Analysis)
            .where(Analysis.attachment_id == file_id)
            .values(status="failed", error="Reading the file took longer than 60 s.")
        )
        s.commit()
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Could not be analysed: Reading the file took longer than 60 s.")


async def test_staff_correct_the_vendor_of_an_invoice(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    issue = make_issue(me)
    file_id = _attach(me, issue.id, b"ACME\n", "invoice.txt")
    pipeline.run_analysis(_analysis_id(file_id))
    with services.session() as s:  # as the invoice reader would have stored it
        s.execute(
            update(Analysis)
            .where(Analysis.attachment_id == file_id)
            .values(
                kind="invoice", fields={"vendor": "Bill To", "total": "12.00", "currency": "EUR"}
            )
        )
        s.commit()
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Bill To")
    user.find(kind=ui.button, content="Correct").click()
    await user.should_see("Correct what invoice.txt says")
    [vendor] = [e for e in user.find(kind=ui.input).elements if e.props.get("label") == "Vendor"]
    vendor.value = "ACME Corp"
    user.find(kind=ui.button, content="Save").click()
    await user.should_see("ACME Corp (corrected)", retries=100)
    await until(lambda: _corrections(file_id) == {"vendor": "ACME Corp"})
    await user.should_see("changed the vendor (file #", retries=100)


def _corrections(file_id: int) -> dict:
    with services.session() as s:
        return s.scalar(select(Analysis.corrections).where(Analysis.attachment_id == file_id))


async def test_a_crash_signature_links_to_the_issues_that_share_it(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/srv/app/billing/export.py", line {n}, in run\n'
        "    rows = fetch()\n"
        "ZeroDivisionError: division by zero\n"
    )
    first = make_issue(me, title="Export crashes", description=trace.format(n=10))
    make_issue(me, title="Export broken again", description=trace.format(n=12))
    make_issue(me, title="Unrelated typo")
    with services.session() as s:
        for analysis_id in s.scalars(select(Analysis.id)).all():
            pipeline.run_analysis(analysis_id)
    await user.open(f"/issues/{first.id}")
    await user.should_see("Crash signatures")
    await user.should_see("ZeroDivisionError")
    await user.should_see("Possible duplicates", retries=100)
    [box] = user.find(kind=ui.html, content="/?signature=").elements
    [(href, text)] = re.findall(
        r'<a class="nicegui-link[^"]*" href="(/\?signature=[^"]+)">([^<]+)</a>', box.content
    )
    # one element, the signatures first (pages.markup.Parts)
    assert box.content.index("Crash signatures") < box.content.index("Possible duplicates")
    assert text == "Seen in 2 issues from 1 reporter"
    await user.open(html.unescape(href))
    await user.should_see("Crash signature")
    assert sorted(titles(user)) == ["Export broken again", "Export crashes"]
    filter_list(user, "signature", None)  # its chip removed
    await until(lambda: len(titles(user)) == 3)
    await user.should_not_see("Crash signature")


async def test_typing_a_secret_warns_before_saving(user: User, db) -> None:
    me = sign_in(user)
    await user.open("/issues/new")
    user.find("Description (Markdown)").type("It fails with DB_PASSWORD=Zq8#vN2!pLx7")
    await user.should_see("This looks like a secret (password)", retries=100)
    issue = make_issue(me)
    await user.open(f"/issues/{issue.id}")
    token = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    [field] = user.find("Add a comment (Markdown)").type(f"use {token} to pull").elements
    await user.should_see("This looks like a secret (github token)", retries=100)
    [warning] = user.find("This looks like a secret").elements
    siblings = field.parent_slot.children
    assert siblings.index(warning) == siblings.index(field) + 1  # right under the field
    field.set_value("no secret here")
    await user.should_not_see("This looks like a secret", retries=100)


def _png(colour: str) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


async def test_a_thumbnail_opens_the_images_one_by_one(user: User, db) -> None:
    me = sign_in(user)
    issue = make_issue(me)
    first = _attach(me, issue.id, _png("red"), "before.png")
    _attach(me, issue.id, _png("blue"), "after.png")
    pdf = _attach(me, issue.id, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "invoice.pdf")
    await user.open(f"/issues/{issue.id}")
    user.find(marker=f"thumbnail-{first}").click()
    await user.should_see("1 of 2")
    [big] = user.find(marker="viewer-image").elements
    assert big.source == f"/attachments/{first}?inline=1"
    user.find(kind=ui.button, content="Next").click()
    await user.should_see("2 of 2")
    assert big.source != f"/attachments/{first}?inline=1"
    user.find(kind=ui.button, content="Next").click()
    await user.should_see("1 of 2")  # round again
    await user.should_see("Open in the browser")  # the PDF, in the browser's viewer
    for file_id, kind in ((first, "image/png"), (pdf, "application/pdf")):
        response = await user.http_client.get(f"/attachments/{file_id}?inline=1")
        assert response.headers["content-disposition"].startswith("inline")
        assert response.headers["content-type"] == kind
        assert "sandbox" in response.headers["content-security-policy"]


async def test_a_files_analysis_leaves_the_other_files_thumbnails_in_place(user: User, db) -> None:
    """Each analysis that arrives redrew every file's card, so a click on another file's
    thumbnail just then went to an element that was gone and the viewer did not open."""
    me = sign_in(user)
    issue = make_issue(me)
    first = _attach(me, issue.id, _png("red"), "before.png")
    second = _attach(me, issue.id, _png("blue"), "after.png")
    await user.open(f"/issues/{issue.id}")
    [shown] = user.find(marker=f"thumbnail-{first}").elements
    pipeline.run_analysis(_analysis_id(second))

    def second_drawn_again() -> bool:
        return any(
            "/thumbnail" in e.source for e in user.find(marker=f"thumbnail-{second}").elements
        )

    await until(second_drawn_again)
    assert user.find(marker=f"thumbnail-{first}").elements == {shown}  # the very same one
    user.find(marker=f"thumbnail-{first}").click()
    await user.should_see("1 of 2")
