"""Reading messages: text, HTML-only made plain and safe, charsets, inline images,
forwarded mails and their files, automatic mail recognised."""

from __future__ import annotations

import pytest

from services.mailin import parse
from tests.mailin import messages as m


def test_a_plain_message_gives_sender_title_and_text():
    got = parse.parse(m.raw(m.message(subject="Re: Fwd: [#12] Export fails")))
    assert got.envelope.sender == "rita@example.com"
    assert got.envelope.sender_name == "Rita Reporter"
    assert (got.envelope.issue_ref, got.envelope.title) == (12, "Export fails")
    assert got.text == "Clicking Export shows a spinner forever."
    assert got.envelope.automatic is None and got.files == []


def test_html_only_becomes_plain_text_without_markup_or_scripts():
    text = parse.parse(m.raw(m.html_only())).text
    assert "The chart is empty & grey." in text
    assert "- Opened the dashboard (https://app.example/x)" in text
    assert "alert" not in text and "<" not in text and "color:red" not in text


def test_a_non_utf8_charset_is_decoded():
    got = parse.parse(m.latin1())
    assert got.envelope.title == "Speichern schlägt fehl"
    assert "»Speichern«" in got.text and "Größe" in got.text


def test_an_inline_image_is_a_file_and_the_plain_part_the_text():
    got = parse.parse(m.raw(m.inline_image()))
    assert got.text == "See the screenshot below."
    [image] = got.files
    assert image.content_type == "image/png" and image.data == m.PHOTO.read_bytes()


def test_a_forwarded_message_keeps_its_text_and_its_files():
    got = parse.parse(m.raw(m.forwarded()))
    assert got.text.startswith("Forwarding a customer complaint.")
    assert "From: Rita Reporter <customer@client.example>" in got.text
    assert "Your invoice is wrong, see PDF." in got.text
    assert [f.filename for f in got.files] == ["customer.pdf"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"Return_Path": "<>"},
    ],
)
def test_automatic_mail_is_recognised(headers):
    assert parse.envelope(m.raw(m.message(**headers))).automatic


def test_a_bounce_from_the_mailer_daemon_is_automatic():
    assert parse.envelope(m.raw(m.message(sender="MAILER-DAEMON@mx.example.com"))).automatic


def test_a_person_saying_auto_submitted_no_is_a_person():
    assert parse.envelope(m.raw(m.message(Auto_Submitted="no"))).automatic is None


def test_a_message_without_a_sender_is_malformed():
    with pytest.raises(parse.Malformed):
        parse.parse(b"Subject: hello\r\n\r\nno From header\r\n")
