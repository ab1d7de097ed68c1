"""One RFC 5322 message as plain data: who sent it, what about, its text and its files.
Pure: no database, no settings. An HTML-only message becomes plain text through a parser
that keeps only text (no markup survives); an unknown charset is decoded leniently."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

ISSUE_REF = re.compile(r"\[#(\d{1,9})\]")
_AUTOMATIC_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)(\+.*)?$", re.I
)
_BULK = {"bulk", "junk", "list", "auto_reply"}
_PREFIXES = re.compile(r"^\s*((re|aw|sv|fwd?|tr|wg)\s*:\s*)+", re.I)


class Malformed(ValueError):
    """Not a message we can read (no sender, broken structure)."""


@dataclass(frozen=True)
class Attached:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Envelope:
    """What the headers alone say (enough to decide on a refusal without reading the body)."""

    sender: str  # the From address, lower-cased ("" when there is none)
    sender_name: str
    subject: str
    message_id: str
    automatic: str | None  # why this is an auto-reply or a bounce (None: a person wrote it)

    @property
    def issue_ref(self) -> int | None:
        found = ISSUE_REF.search(self.subject)
        return int(found.group(1)) if found else None

    @property
    def title(self) -> str:
        """The subject without Re:/Fwd: prefixes and the [#123] reference."""
        return " ".join(_PREFIXES.sub("", ISSUE_REF.sub("", self.subject)).split())


@dataclass(frozen=True)
class ParsedMail:
    envelope: Envelope
    text: str
    files: list[Attached] = field(default_factory=list)


def envelope(raw: bytes) -> Envelope:
    """The headers of a message (of any size: the body is not read)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    msg = BytesHeaderParser(policy=policy.default).parsebytes(head)
    return _envelope(msg)


def parse(raw: bytes) -> ParsedMail:
    """The whole message; Malformed when it has no sender or cannot be read."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        env = _envelope(msg)
        if not env.sender:
            raise Malformed("the message has no sender address")
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(preferencelist=("plain", "html"))
        text = _text(body) if body is not None else ""
        files: list[Attached] = []
        forwarded: list[str] = []
        _collect(msg, body, files, forwarded)
    except Malformed:
        raise
    except Exception as e:  # the email package raises many kinds on broken input
        raise Malformed(f"the message could not be read ({type(e).__name__})") from None
    if forwarded:
        text = "\n\n".join([text.rstrip(), *forwarded]).strip()
    return ParsedMail(env, text.strip(), files)


def html_to_text(markup: str) -> str:
    """The text of an HTML document: scripts, styles and tags dropped, blocks on lines,
    links followed by their address."""
    reader = _TextOnly()
    reader.feed(markup)
    reader.close()
    lines = [" ".join(line.split()) for line in "".join(reader.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- helpers -------------------------------------------------------------------------------


def _envelope(msg: Message) -> Envelope:
    addresses = getaddresses([str(v) for v in msg.get_all("From", [])])
    name, address = addresses[0] if addresses else ("", "")
    address = address.strip().lower()
    if "@" not in address or any(c.isspace() for c in address):
        address = ""
    return Envelope(
        sender=address,
        sender_name=name.strip(),
        subject=" ".join(str(msg.get("Subject", "")).split())[:500],
        message_id=str(msg.get("Message-ID", "")).strip()[:250],
        automatic=_automatic(msg, address),
    )


def _automatic(msg: Message, address: str) -> str | None:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in _BULK:
        return f"Precedence: {precedence}"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Response-Suppress"):
        return "an auto-reply header"
    if str(msg.get("Return-Path", "")).strip() == "<>":
        return "an empty Return-Path (a bounce)"
    if msg.get_content_type() == "multipart/report":
        return "a delivery report"
    if address and _AUTOMATIC_SENDERS.match(address.split("@", 1)[0]):
        return f"an automatic sender ({address})"
    return None


def _text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError):  # an unknown or lying charset
        raw = part.get_payload(decode=True)
        content = raw.decode("latin-1", errors="replace") if isinstance(raw, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n")


def _collect(
    msg: Message, body: Message | None, files: list[Attached], forwarded: list[str]
) -> None:
    """Every file of the message (attachments and inline images), and the text of forwarded
    messages, in order."""
    for part in msg.iter_parts() if isinstance(msg, EmailMessage) else []:
        if part is body:
            continue
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, EmailMessage):
                _forwarded(inner, files, forwarded)
            continue
        if part.is_multipart():
            _collect(part, body, files, forwarded)
            continue
        if part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment":
            continue  # the body's other version, a signature, a list footer
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            files.append(Attached(_filename(part, len(files) + 1), kind, data))


def _forwarded(inner: EmailMessage, files: list[Attached], forwarded: list[str]) -> None:
    env = _envelope(inner)
    body = inner.get_body(preferencelist=("plain", "html"))
    text = _text(body) if body is not None else ""
    who = f"{env.sender_name} <{env.sender}>" if env.sender_name else env.sender
    forwarded.append(
        f"---------- Forwarded message ----------\nFrom: {who}\nSubject: {env.subject}\n\n{text}"
    )
    _collect(inner, body, files, forwarded)


def _filename(part: Message, n: int) -> str:
    name = part.get_filename()
    if name:
        return str(name)
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{n}{extension}"


class _TextOnly(HTMLParser):
    _SKIP = {"script", "style", "head", "title", "template", "noscript"}
    _BLOCK = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
        "blockquote", "table", "ul", "ol", "hr", "section", "article",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0
        self._href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.out.append("\n" + ("- " if tag == "li" else ""))
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self._href.append(href if href.startswith(("http://", "https://")) else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.out.append("\n")
        if tag == "a" and self._href:
            href = self._href.pop()
            if href and not self._skipping:
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(data)
