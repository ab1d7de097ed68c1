"""Real messages for the mail-in tests, built the way mail clients build them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "intake" / "corpus"
INVOICE = CORPUS / "invoices" / "train" / "inv-00-en-classic.pdf"
PHOTO = CORPUS / "photos" / "train" / "whiteboard.png"


def message(
    sender: str = "rita@example.com",
    subject: str = "Export button does nothing",
    text: str | None = "Clicking Export shows a spinner forever.",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Rita Reporter <{sender}>"
    msg["To"] = "tracker@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.com")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    if text is not None:
        msg.set_content(text)
    return msg


def with_invoice(sender: str = "rita@example.com") -> EmailMessage:
    msg = message(sender, "Invoice total looks wrong", "The total on the attached invoice is off.")
    msg.add_attachment(
        INVOICE.read_bytes(), maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    return msg


def html_only(sender: str = "rita@example.com") -> EmailMessage:
    msg = message(sender, "Styled report", None)
    msg.set_content(
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>The <b>chart</b> is empty &amp; grey.</p><ul><li>Opened <a href='https://app.example/x'>"
        "the dashboard</a></li><li>Saw nothing</li></ul><img src=x onerror=alert(2)></body></html>",
        subtype="html",
    )
    return msg


def inline_image(sender: str = "rita@example.com") -> EmailMessage:
    """HTML with an inline (cid:) screenshot and a plain alternative, as Thunderbird sends."""
    msg = message(sender, "Screenshot of the error", "See the screenshot below.")
    cid = make_msgid(domain="example.com")
    msg.add_alternative(
        f'<p>See the screenshot below.</p><img src="cid:{cid[1:-1]}">', subtype="html"
    )
    html_part = msg.get_payload()[1]
    html_part.add_related(PHOTO.read_bytes(), maintype="image", subtype="png", cid=cid)
    return msg


def latin1(sender: str = "rita@example.com") -> bytes:
    body = "Der Knopf »Speichern« funktioniert nicht: Größe überschritten.".encode("iso-8859-1")
    return (
        (
            f"From: {sender}\r\nTo: tracker@example.com\r\n"
            "Subject: =?iso-8859-1?q?Speichern_schl=E4gt_fehl?=\r\n"
            "Message-ID: <latin1@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=iso-8859-1\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )


def forwarded(sender: str = "rita@example.com") -> EmailMessage:
    """A customer's mail with a PDF, forwarded as an attachment."""
    inner = message("customer@client.example", "Wrong invoice", "Your invoice is wrong, see PDF.")
    inner.add_attachment(
        INVOICE.read_bytes(), maintype="application", subtype="pdf", filename="customer.pdf"
    )
    msg = message(sender, "Fwd: Wrong invoice", "Forwarding a customer complaint.")
    msg.add_attachment(inner)
    return msg


def auto_reply(sender: str = "rita@example.com") -> EmailMessage:
    return message(sender, "Out of office", "I am away.", Auto_Submitted="auto-replied")


def raw(msg: EmailMessage) -> bytes:
    return msg.as_bytes()
