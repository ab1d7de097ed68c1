"""Attachments (type by magic bytes, size cap, nothing left on error) and comments."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

import services
from services import InvalidInput, NotFound, TooLarge, UnsupportedType
from services.models import Attachment
from tests.factories import make_issue, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


@pytest.fixture
def setup(db):
    reporter, other, maintainer = make_user(), make_user(), make_user("MAINTAINER")
    return reporter, other, maintainer, make_issue(reporter)


def _stored_files():
    root = services.runtime().upload_dir
    return sorted(p for p in root.rglob("*") if p.is_file())


def _attach(actor, issue_id, name, content):
    with services.session() as s:
        return services.attachments.save_attachment(
            s, actor, issue_id, filename=name, content=content
        )


def test_a_screenshot_is_stored_hashed_and_downloadable_by_who_may_see(setup, sent):
    reporter, other, maintainer, issue = setup
    sent.clear()
    view = _attach(reporter, issue.id, "../../etc/screen shot.png", io.BytesIO(PNG))
    assert (view.filename, view.content_type, view.size) == (
        "screen shot.png",
        "image/png",
        len(PNG),
    )
    assert view.sha256 == hashlib.sha256(PNG).hexdigest()
    [path] = _stored_files()
    assert path.read_bytes() == PNG and "screen" not in path.name  # random name on disk
    assert [(e.kind, e.issue_id) for e in sent] == [("attachment", issue.id)]
    for who in (reporter, maintainer):
        with services.session() as s:
            file = services.attachments.open_attachment(s, who, view.id)
        assert file.path.read_bytes() == PNG and file.is_image
    with services.session() as s, pytest.raises(NotFound):
        services.attachments.open_attachment(s, other, view.id)
    with services.session() as s:
        assert [a.id for a in services.issues.get_issue(s, reporter, issue.id).attachments] == [
            view.id
        ]


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("report.png", b"MZ\x90\x00" + bytes(100), UnsupportedType),  # a Windows program named .png
        ("x.bin", b"\x7fELF" + bytes(100), UnsupportedType),
        ("big.txt", b"a" * (1024 * 1024 + 1), TooLarge),
        ("empty.txt", b"", InvalidInput),
    ],
)
def test_refused_uploads_leave_no_row_and_no_file(setup, sent, name, content, error):
    reporter, _, _, issue = setup
    sent.clear()
    with pytest.raises(error):
        _attach(reporter, issue.id, name, content)
    assert _stored_files() == []
    with services.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    assert sent == []


def test_no_upload_to_an_issue_you_cannot_see(setup):
    _, other, _, issue = setup
    with pytest.raises(NotFound):
        _attach(other, issue.id, "a.txt", b"hello")
    assert _stored_files() == []


def test_a_failed_save_after_the_file_was_placed_removes_it(setup, monkeypatch):
    reporter, _, _, issue = setup

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.attachments, "record", broken)
    with pytest.raises(RuntimeError):
        _attach(reporter, issue.id, "log.txt", b"line one\nline two\n")
    assert _stored_files() == []


def test_chunked_text_logs_are_accepted(setup):
    reporter, _, _, issue = setup
    view = _attach(reporter, issue.id, "server.log", iter([b"2026-11-26 boot\n", b"ok\n"]))
    assert (view.content_type, view.size) == ("text/plain", 19)


def test_deleting_the_issue_deletes_its_files(setup):
    reporter, _, _, issue = setup
    _attach(reporter, issue.id, "a.png", PNG)
    admin = make_user("ADMIN")
    with services.session() as s:
        services.issues.delete_issue(s, admin, issue.id)
    assert _stored_files() == []


def test_comments_are_safe_markdown_for_who_may_see(setup, sent):
    reporter, other, maintainer, issue = setup
    sent.clear()
    with services.session() as s:
        c = services.comments.add_comment(
            s, maintainer, issue.id, {"body": "See `log` <img src=x onerror=alert(1)>"}
        )
    assert "<code>log</code>" in c.body_html and "<img" not in c.body_html
    assert [(e.kind, e.op, e.issue_id) for e in sent] == [("comment", "created", issue.id)]
    with services.session() as s:
        assert [x.id for x in services.comments.list_comments(s, reporter, issue.id)] == [c.id]
        with pytest.raises(NotFound):
            services.comments.list_comments(s, other, issue.id)
        with pytest.raises(NotFound):
            services.comments.add_comment(s, other, issue.id, {"body": "me too"})
        with pytest.raises(InvalidInput):
            services.comments.add_comment(s, reporter, issue.id, {"body": ""})
        timeline = services.activity.list_activity(s, reporter, issue.id)
    assert [a.verb for a in timeline] == ["created", "commented"]
    with services.session() as s:  # a comment does not make a pending edit stale
        assert services.issues.get_issue(s, reporter, issue.id).version == issue.version


@pytest.mark.parametrize(
    "chunks, expected",
    [
        ([PNG[:3], PNG[3:]], "image/png"),  # a signature split across chunks is still found
        ([b"hello ", b"\x7fELF" + bytes(5000)], None),  # text first, binary after: refused
    ],
)
def test_the_type_is_decided_on_the_first_4_kb_however_the_upload_is_chunked(
    setup, chunks, expected
):
    reporter, _, _, issue = setup
    if expected:
        assert _attach(reporter, issue.id, "x", iter(chunks)).content_type == expected
    else:
        with pytest.raises(UnsupportedType):
            _attach(reporter, issue.id, "x", iter(chunks))
        assert _stored_files() == []
