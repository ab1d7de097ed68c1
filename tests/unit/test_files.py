"""Pure upload helpers: type detection by content (services/filetypes.py) and display names
(services/files.py)."""

from __future__ import annotations

import unicodedata

import pytest

from services.files import clean_filename
from services.filetypes import ALLOWED, sniff

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF87 = b"GIF87a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
GIF89 = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x000\x01\x00\x9d\x01\x2a"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00!\x00\xb5U0#\xf4\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00"


def detect_type(head: bytes) -> str | None:
    """The allowed content type of a file from its first bytes, or None."""
    kind = sniff(head).kind
    return kind.mime if kind else None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF87, "image/gif"),
        (GIF89, "image/gif"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (ZIP, "application/zip"),
    ],
)
def test_detects_allowed_binary_types_by_magic_bytes(head, expected):
    assert detect_type(head) == expected
    assert expected in {t.mime for t in ALLOWED}


def test_type_comes_from_content_not_from_a_leading_fragment():
    # Only the magic bytes at offset 0 count; the same bytes later on mean nothing.
    assert detect_type(b"\x00\x00" + PNG) is None
    assert detect_type(PNG[:4]) is None  # a truncated PNG signature is not a PNG


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01 12:00:00 ERROR something broke\n\tat line 3\r\n",
        "name,count\nbugs,3\nfeatures,5\n",
        '{"key": "value", "list": [1, 2, 3]}',
        "Grüße aus Köln — ünïcödé ✓ 日本語\n",
        "form feed\x0cpage two\n",
    ],
)
def test_utf8_text_is_plain_text(text):
    assert detect_type(text.encode("utf-8")) == "text/plain"


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    head = ("a" + "é" * 3000).encode("utf-8")[:4096]
    assert head[-1:] == b"\xc3"  # the cut splits the last character
    assert detect_type(head) == "text/plain"


@pytest.mark.parametrize("head", [EXE, ELF], ids=["exe", "elf"])
def test_executables_are_refused(head):
    assert detect_type(head) is None


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello\x00world",
        bytes(range(256)),
        b"\x00\x01\x02\x03" * 64,
        b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00",
    ],
    ids=["empty", "nul-in-text", "all-bytes", "binary-junk", "wav"],
)
def test_binary_junk_is_refused(head):
    assert detect_type(head) is None


@pytest.mark.parametrize(
    "head",
    [b"abc \xc3\x28 def", b"\xfe\xff\xfe\xff text", b"latin-1 caf\xe9 au lait"],
    ids=["bad-continuation", "invalid-bytes", "latin-1"],
)
def test_invalid_utf8_is_refused(head):
    assert detect_type(head) is None


def test_text_full_of_control_characters_is_refused():
    assert detect_type(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 50) is None
    assert detect_type(b"a" * 50 + b"\x07" * 50) is None


# --- clean_filename ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/var/log/app.log", "app.log"),
        ("C:\\Users\\me\\Desktop\\screenshot.png", "screenshot.png"),
        ("..\\..\\windows\\system.ini", "system.ini"),
        ("mixed/path\\to/file.txt", "file.txt"),
    ],
)
def test_directories_are_stripped(raw, expected):
    assert clean_filename(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b\x1fc\x7f.txt", "abc.txt"),
        ("line\nbreak\r.log", "linebreak.log"),
        ("tab\there.csv", "tabhere.csv"),
        ("\x1b[31mred\x1b[0m.txt", "[31mred[0m.txt"),
    ],
)
def test_control_characters_are_removed(raw, expected):
    assert clean_filename(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(".htaccess", "htaccess"), ("...hidden.txt", "hidden.txt"), ("dir/.env", "env")],
)
def test_leading_dots_are_removed(raw, expected):
    assert clean_filename(raw) == expected


def test_surrounding_whitespace_is_trimmed_and_unicode_kept():
    assert clean_filename("  résumé 2024.pdf  ") == "résumé 2024.pdf"
    assert clean_filename("日本語.txt") == "日本語.txt"


@pytest.mark.parametrize("raw", ["", "/", "dir/", "...", "\x00\x01", "   ", "C:\\"])
def test_nothing_left_becomes_file(raw):
    assert clean_filename(raw) == "file"


def test_long_name_is_truncated_keeping_the_extension():
    name = clean_filename("a" * 396 + ".pdf")
    assert len(name) <= 255
    assert name.endswith(".pdf")
    assert name.startswith("a" * 200)


def test_long_name_with_a_long_extension_is_cut_at_255():
    raw = "b" * 300 + "." + "c" * 30
    name = clean_filename(raw)
    assert len(name) == 255
    assert raw.startswith(name)


def test_long_name_without_extension_is_cut_at_255():
    assert clean_filename("z" * 400) == "z" * 255


def test_names_at_the_limit_are_left_alone():
    raw = "n" * 251 + ".txt"
    assert len(raw) == 255
    assert clean_filename(raw) == raw


@pytest.mark.parametrize("name", ["invoice\u202efdp.exe", "a\x85b.txt", "zero\u200bwidth.png"])
def test_clean_filename_drops_invisible_and_bidi_characters(name):
    cleaned = clean_filename(name)
    assert all(unicodedata.category(c) not in ("Cc", "Cf") for c in cleaned)
    assert cleaned.replace(".", "").isprintable()


def test_coloured_logs_count_as_text():
    assert detect_type(b"\x1b[31mERROR\x1b[0m disk full\n" * 20) == "text/plain"
