"""Mails as text: plain and HTML parts from the same lines, every user string escaped in the
HTML, secrets masked (services.hooks.masked) in anything quoted from the tracker."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from .. import hooks


@dataclass(frozen=True)
class Line:
    when: dt.datetime
    text: str  # who did what (rules.sentence)


@dataclass(frozen=True)
class Section:
    """One issue's changes: its title, link and lines."""

    issue_id: int
    title: str
    url: str
    lines: list[Line]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def about_issue(section: Section, settings_url: str) -> Rendered:
    """The mail for a burst of changes on one issue."""
    title = _clean(hooks.masked(section.title))
    subject = f"[#{section.issue_id}] {title}"
    return _render(subject, [section], settings_url, "What changed")


def digest(sections: list[Section], settings_url: str) -> Rendered:
    """The daily digest: every issue's changes since the last one."""
    count = sum(len(s.lines) for s in sections)
    subject = f"Your daily digest: {count} update{'s' if count != 1 else ''}"
    return _render(subject, sections, settings_url, "Since your last digest")


def plain(subject: str, text: str) -> Rendered:
    """A short message of our own words (mail-in replies), its HTML part escaped."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    return Rendered(_clean(subject), text, _page(paragraphs))


def message(
    rendered: Rendered,
    *,
    mail_from: str,
    to: str,
    unsubscribe_url: str = "",
    in_reply_to: str = "",
) -> EmailMessage:
    """The RFC 5322 message, with one-click unsubscribe headers (RFC 8058) when given a link.
    Marked Auto-Submitted, so well-behaved auto-responders do not answer it."""
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid("tracker", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


def sender(name: str, address: str) -> str:
    return formataddr((name, address))


# --- helpers -------------------------------------------------------------------------------


def _render(subject: str, sections: list[Section], settings_url: str, heading: str) -> Rendered:
    text_parts = [heading + ":", ""]
    html_parts = [f"<p>{html.escape(heading)}:</p>"]
    for section in sections:
        title = _clean(hooks.masked(section.title))
        text_parts.append(f"#{section.issue_id} {title}")
        items = []
        for line in section.lines:
            stamp = line.when.strftime("%Y-%m-%d %H:%M UTC")
            text_parts.append(f"  - {line.text} ({stamp})")
            items.append(f"<li>{html.escape(line.text)} <small>({html.escape(stamp)})</small></li>")
        text_parts += [f"  {section.url}", ""]
        html_parts.append(
            f'<h3><a href="{html.escape(section.url, quote=True)}">'
            f"#{section.issue_id} {html.escape(title)}</a></h3><ul>{''.join(items)}</ul>"
        )
    footer = f"Change what you are told, or stop these mails: {settings_url}"
    text_parts.append(footer)
    html_parts.append(
        f'<p><small>Change what you are told, or stop these mails: <a href="'
        f'{html.escape(settings_url, quote=True)}">your account</a>.</small></p>'
    )
    return Rendered(subject, "\n".join(text_parts) + "\n", _page("".join(html_parts)))


def _page(body: str) -> str:
    return f'<!doctype html><html><body style="font-family:sans-serif">{body}</body></html>\n'


def _clean(text: str) -> str:
    """One line without control characters (a header must not be split by a title)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:250]
