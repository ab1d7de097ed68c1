"""What a file really is (services/filetypes.py) and the one upload policy built on it
(services/uploads.py): the browser's accept list, the hint and the refusal all come from it."""

from __future__ import annotations

import pytest

from services.filetypes import JPEG, PNG, TEXT, MarkupScanner, sniff, stored_name
from services.uploads import UploadPolicy


@pytest.mark.parametrize(
    ("head", "really"),
    [
        (b"<!DOCTYPE html>\n<title>x</title>", "an HTML page"),
        (b"\xef\xbb\xbf  \n<HTML><body>hi", "an HTML page"),  # BOM and blanks first
        (b"<p>just a paragraph</p>", "an HTML page"),  # what a sniffing browser renders
        (b"<!-- a comment -->\nhello", "an HTML page"),
        (b"log line\n<img src=x onerror=alert(1)>\n", "an HTML page"),
        (b"data\n<ScRiPt>alert(1)</sCrIpT>", "an HTML page"),
        (b"link: javascript:alert(1)\n", "an HTML page"),
        (b"<svg/onload=alert(1)>", "an SVG image"),
        (
            b'<?xml version="1.0"?><r xmlns:h="http://www.w3.org/1999/xhtml"/>',
            "XML with active content",
        ),
        (b"#!/usr/bin/env python\nprint(1)\n", "a script"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "a program"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "a program"),
        (b"\x00asm\x01\x00\x00\x00", "a program"),
    ],
)
def test_dangerous_content_is_named(head, really):
    verdict = sniff(head)
    assert verdict.kind is None and verdict.refused_as == really


@pytest.mark.parametrize(
    "text",
    [
        b"if a < b and c > d: pass\n",
        b"x<y, 3<4, <none>, <br> in the middle of a line\n",
        b'<?xml version="1.0"?>\n<settings><item key="a">1</item></settings>\n',
        b"the javascript: console said nothing\n",
        b"MZ Logistics invoice summary\n",  # text that happens to start like a program
    ],
)
def test_text_with_harmless_angle_brackets_is_plain_text(text):
    assert sniff(text).kind is TEXT


def test_markup_split_across_chunks_is_found():
    scanner = MarkupScanner()
    assert scanner.feed(b"harmless " * 100 + b"<scr") is None
    assert scanner.feed(b"ipt>alert(1)</script>") == "an HTML page"


def test_a_clean_text_scans_clean_to_its_end():
    scanner = MarkupScanner()
    assert all(scanner.feed(b"line %d ok\n" % n) is None for n in range(1000))


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("shot.png", PNG, "shot.png"),
        ("SHOT.PNG", PNG, "SHOT.PNG"),
        ("photo.jpeg", JPEG, "photo.jpeg"),
        ("photo.jpg", PNG, "photo.jpg.png"),
        ("report.pdf", PNG, "report.pdf.png"),
        ("notes.html", TEXT, "notes.html.txt"),
        ("server.log", TEXT, "server.log"),
        ("README", TEXT, "README.txt"),
    ],
)
def test_a_stored_name_ends_in_an_extension_of_its_content(name, kind, expected):
    assert stored_name(name, kind) == expected


def test_the_policy_is_one_source_for_accept_hint_and_refusal():
    policy = UploadPolicy()
    accepted = policy.accept.split(",")
    for kind in policy.types:
        assert kind.mime in accepted
        assert set(kind.extensions) <= set(accepted)
        assert kind.label in policy.types_hint
    assert not {".html", ".htm", ".svg", ".xml", ".js", ".exe", "text/html", "text/*"} & set(
        accepted
    )
    assert policy.types_hint == "PNG, JPEG, GIF, WebP, PDF, ZIP or plain text (logs, CSV, JSON)"
    assert policy.unsupported("an SVG image").startswith(
        "This file type is not allowed: it is an SVG image, whatever its name says. Allowed: PNG"
    )


def test_the_api_description_states_the_limits_in_force():
    text = UploadPolicy(max_file_bytes=3 * 1024 * 1024, max_files_per_issue=4).describe()
    assert "At most 3 MB per file (413), 4 files per issue (422)" in text
    assert "500 MB per user per 24 hours (429" in text
