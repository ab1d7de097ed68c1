"""Uploads and write limits in the browser: files on the new-issue form wait on the server's
disk (not in memory) and are dropped when removed or when the page goes away; the hint and
the browser's checks come from the upload policy; a limit or a refused file is a message."""

from __future__ import annotations

import dataclasses
import gc
import weakref

import pytest
from nicegui import app, ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

import services
from pages.uploads import file_drop
from services.quotas import WriteLimits
from tests.factories import make_issue
from tests.pages.conftest import press, sign_in, until

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(100)


@pytest.fixture
def policy(db, monkeypatch):
    def set_policy(**kw: int) -> None:
        current = services.uploads.policy()
        monkeypatch.setattr(services.runtime(), "uploads", dataclasses.replace(current, **kw))

    return set_policy


@pytest.fixture
def limits(db, monkeypatch):
    def set_limits(**kw: int) -> None:
        monkeypatch.setattr(services.runtime(), "limits", WriteLimits(**kw))

    return set_limits


def waiting() -> list[bytes]:
    """The bytes of every file staged on the server's disk, waiting for its issue."""
    incoming = services.runtime().upload_dir / ".incoming"
    return sorted(p.read_bytes() for p in incoming.rglob("*") if p.is_file())


def attached() -> list:
    root = services.runtime().upload_dir
    return [p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts]


async def drop(user: User, *files: tuple[str, bytes]) -> None:
    [upload] = user.find(kind=ui.upload).elements
    await upload.handle_uploads(
        [SmallFileUpload(n, "application/octet-stream", b) for n, b in files]
    )


async def test_a_file_on_the_form_waits_on_disk_until_removed(user: User, db) -> None:
    sign_in(user)
    await user.open("/issues/new")
    await drop(user, ("screen.png", PNG), ("app.log", b"boot ok\n"))
    await user.should_see("screen.png")
    await user.should_see("app.log")  # both checked (they are checked side by side)
    assert waiting() == sorted([PNG, b"boot ok\n"])
    [remove, _] = [b for b in user.find(kind=ui.button).elements if b.props.get("icon") == "close"]
    row = remove.parent_slot.parent  # the file's row: its name, its size, this button
    name = next(c.text for c in row.default_slot.children if isinstance(c, ui.label))
    UserInteraction(user, {remove}, None).click()
    kept = {"screen.png": b"boot ok\n", "app.log": PNG}[name]
    await until(lambda: waiting() == [kept])
    await user.should_not_see(name)


async def test_files_of_a_page_that_goes_away_unsaved_are_discarded(user: User, db) -> None:
    sign_in(user)
    client = await user.open("/issues/new")
    await drop(user, ("a.png", PNG), ("b.txt", b"notes\n"))
    await user.should_see("a.png")
    await user.should_see("b.txt")
    assert len(waiting()) == 2
    client.delete()  # what NiceGUI does when the browser is gone for good
    await until(lambda: waiting() == [])
    assert attached() == []


async def test_saving_attaches_the_files_and_leaves_none_waiting(user: User, db) -> None:
    sign_in(user)
    await user.open("/issues/new")
    user.find("Title").type("Crash on start")
    await drop(user, ("report.pdf", PNG), ("app.log", b"boot ok\n"))
    await user.should_see("report.pdf.png")  # named after what it is
    await user.should_see("app.log")
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("reported by", retries=100)
    await user.should_see("report.pdf.png")
    assert waiting() == [] and len(attached()) == 2


async def test_a_disguised_file_is_refused_with_its_reason(user: User, db) -> None:
    sign_in(user)
    await user.open("/issues/new")
    await drop(user, ("cat.png", b"<html><body onload=alert(1)>meow</body></html>"))
    await user.should_see("cat.png: This file type is not allowed: it is an HTML page")
    assert waiting() == []


async def test_the_hint_and_the_browser_checks_come_from_the_policy(user: User, db, policy) -> None:
    policy(max_files_per_issue=3)
    sign_in(user)
    await user.open("/issues/new")
    await user.should_see("3 files per issue")
    [upload] = user.find(kind=ui.upload).elements
    current = services.uploads.policy()
    assert upload.props["accept"] == current.accept
    assert upload.props["max-files"] == 3
    assert upload.props["max-file-size"] == current.max_file_bytes
    await drop(user, *[(f"{n}.txt", b"line\n") for n in range(4)])  # past the browser
    await user.should_see("at most 3 files per issue")
    await until(lambda: len(waiting()) == 3)  # the other three are checked meanwhile


async def test_the_daily_bytes_count_the_files_waiting_on_the_form(user: User, db, policy) -> None:
    policy(max_bytes_per_day=100 * 1024)
    sign_in(user)
    await user.open("/issues/new")
    await drop(user, ("a.log", b"a" * 60 * 1024))
    await user.should_see("a.log")
    await drop(user, ("b.log", b"b" * 60 * 1024))
    await user.should_see("would go over your limit of 100 KB per day")
    assert len(waiting()) == 1


async def test_over_the_issue_limit_the_form_says_when_and_keeps_the_draft(
    user: User, db, limits
) -> None:
    limits(issues_per_hour=1)
    me = sign_in(user)
    make_issue(me)
    await user.open("/issues/new")
    user.find("Title").type("One more")
    user.find(kind=ui.button, content="File issue").click()
    await user.should_see("You have filed 1 issue in the last hour; the limit is 1.")
    [title] = user.find("Title").elements
    assert title.value == "One more"


async def test_over_the_comment_limit_the_issue_page_says_so(user: User, db, limits) -> None:
    limits(comments_per_hour=1)
    me = sign_in(user)
    issue = make_issue(me)
    with services.session() as s:
        services.comments.add_comment(s, me, issue.id, {"body": "first"})
    await user.open(f"/issues/{issue.id}")
    user.find("Add a comment (Markdown)").type("second")
    press(user, "Comment")
    await user.should_see("You have written 1 comment in the last hour")


async def test_the_issue_page_refuses_a_file_more_than_an_issue_may_have(
    user: User, db, policy
) -> None:
    policy(max_files_per_issue=1)
    me = sign_in(user)
    issue = make_issue(me)
    with services.session() as s:
        services.attachments.save_attachment(s, me, issue.id, filename="a.png", content=PNG)
    await user.open(f"/issues/{issue.id}")
    await drop(user, ("b.png", PNG))
    await user.should_see("b.png: This issue has 1 file already")
    assert len(attached()) == 1


async def test_a_closed_page_is_not_kept_alive_by_its_drop_zone(user: User, db) -> None:
    # A drop zone has no route of its own (one route takes every drop zone's files): nothing
    # outside the page holds it. Its own route, once, kept deleted elements alive through
    # FastAPI's caches of endpoints, and every closed issue page with them.
    class Page:
        async def on_upload(self, e) -> None: ...

    held = [Page()]
    gone = weakref.ref(held[0])
    zones: list[weakref.ref] = []

    @ui.page("/drop-zone")
    def drop_zone_page() -> None:
        zones.append(weakref.ref(file_drop("Add files", held[0].on_upload)))

    await user.open("/drop-zone")
    await user.should_see("Add files")
    held.clear()
    user.client.delete()
    gc.collect()
    assert gone() is None
    assert zones[0]() is None  # the deleted element itself is gone too


async def test_one_route_takes_every_drop_zones_files(user: User, db) -> None:
    """No route of its own per drop zone (each cost a page view ~1.3 ms, and memory while
    open); the shared route answers only for a drop zone that is on an open page."""
    sign_in(user)
    await user.open("/issues/new")
    routes = len(app.routes)
    await user.open("/issues/new")
    assert len(app.routes) == routes
    [upload] = user.find(kind=ui.upload).elements
    url = upload.props["url"]
    assert url == f"/_tracker/upload/{user.client.id}/{upload.id}"
    file = {"file": ("a.png", PNG, "image/png")}
    not_a_zone = url.rsplit("/", 1)[0] + f"/{user.client.layout.id}"
    for wrong in (not_a_zone, f"/_tracker/upload/no-such-page/{upload.id}"):
        assert (await user.http_client.post(wrong, files=file)).status_code == 404
    assert (await user.http_client.post(url, files=file)).status_code == 200
