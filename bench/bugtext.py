"""Bug-report text for generated issues: titles, Markdown descriptions and comments.

The Markdown templates are rendered once with services.markdown; each issue fills the same
slots in the Markdown and in its HTML (escaped as markdown-it escapes), so description_html
is what the app itself would store. The slot values hold no Markdown syntax, and
`check_rendering` proves the two agree on a sample.
"""

from __future__ import annotations

import random

from markdown_it.common.utils import escapeHtml

from services import markdown

AREAS = [
    "login page", "checkout", "invoice export", "dashboard", "search", "file upload",
    "settings page", "notifications", "mobile app", "REST API", "monthly report", "billing",
    "user profile", "password reset", "CSV import", "calendar view", "email digest",
    "admin panel", "dark mode", "webhooks", "shopping cart", "PDF preview", "team invites",
    "audit log",
]  # fmt: skip
SYMPTOMS = [
    "crashes", "shows a blank page", "is very slow", "loses my draft", "shows the wrong total",
    "times out", "rejects valid input", "duplicates entries", "ignores the date filter",
    "renders garbled text", "freezes the browser", "logs me out", "sends the email twice",
    "shows stale data", "returns a 500 error", "cuts off long names", "hangs at 99 percent",
    "shows the wrong time zone",
]  # fmt: skip
WHEN = [
    "after the latest update", "on Safari", "with large files", "for new accounts",
    "when I switch language", "on the first visit", "with more than 100 rows",
    "during the nightly sync", "after a password reset", "on slow connections",
    "in Firefox private mode", "when two people edit at once", "on iPad in landscape",
    "for customers in Japan", "right after midnight UTC", "with an ad blocker on",
]  # fmt: skip
ACTIONS = [
    "save a draft", "export to PDF", "log in with SSO", "upload a screenshot", "change my email",
    "filter by date", "apply a discount code", "invite a colleague", "download the invoice",
    "reorder the columns", "archive a project", "reset my password", "sort by priority",
]  # fmt: skip
ENVS = [
    "Chrome 126 on Windows 11", "Safari 17.5 on macOS 14", "Firefox 128 on Ubuntu 24.04",
    "Edge 125 on Windows 10", "the Android app 3.4.1 on a Pixel 7", "the iOS app 3.4.0 on iOS 17",
]  # fmt: skip
ERRORS = [
    "TypeError: Cannot read properties of undefined (reading 'total')",
    "HTTP 500 Internal Server Error",
    "net::ERR_CONNECTION_RESET",
    "ValueError: time data '31/02/2024' does not match format",
    "Request timed out after 30000 ms",
    "IntegrityError: duplicate key value violates unique constraint",
    "Uncaught RangeError: Maximum call stack size exceeded",
    "413 Request Entity Too Large",
    "ERROR: deadlock detected",
]  # fmt: skip
TITLES = [
    "{Area} {symptom} {when}",
    "{Area} {symptom}",
    "Cannot {action} in the {area}",
    "{Area}: {symptom} when I {action}",
    "Error when I {action} {when}",
    "{Area} {symptom} on {env}",
]
DESCRIPTIONS = [
    "**What happened:** the {area} {symptom} {when}.\n\n"
    "**Steps to reproduce**\n\n1. Open the {area}\n2. Try to {action}\n3. Wait a few seconds\n\n"
    "**Expected:** it works. **Actual:** it {symptom}.\n\n```\n{error}\n```\n",
    "When I try to {action}, the {area} {symptom}. This started {when}.\n\n"
    "Environment: {env}\n\nThe console shows `{error}`.\n",
    "## Summary\n\nThe {area} {symptom} {when}.\n\n## Environment\n\n- {env}\n- account id {n}\n\n"
    "## Log\n\n```\n{error}\n```\n\nIt happens about {pct} percent of the time.\n",
    "Reported by a customer (ticket {n}): the {area} {symptom}.\n\n"
    "> I just wanted to {action} and now it {symptom}.\n\n"
    "Reproduced on {env}. Workaround: reload the page and try again.\n",
    "Steps:\n\n1. Sign in\n2. Go to the {area}\n3. {Action}\n\n"
    "Result: it {symptom} {when}. Blocking **{pct}** percent of our users, "
    "see the error below.\n\n```\n{error}\n```\n",
    "The {area} {symptom}.\n\n| | |\n|---|---|\n| Browser | {env} |\n| Since | {when} |\n"
    "| Error | `{error}` |\n",
]
COMMENTS = [
    "Thanks, I can reproduce this on {env}.",
    "Could you attach a screenshot of the {area}?",
    "Fixed in **release {version}**, please retest.",
    "Still happening for me today:\n\n```\n{error}\n```\n",
    "Looks related to the cache change last week, see issue {n}.",
    "Added the server logs. The {area} {symptom} only {when}.",
    "I cannot reproduce this on {env}. Does it happen {when}?",
    "Workaround for now: try to {action} from the old screen.",
    "Raising the severity: {pct} percent of sign-ins are affected.",
    "- reproduced on staging\n- not on production\n- probably the {area} again",
]
ATTACHMENTS = [  # (name pattern, content type, smallest, largest size in bytes)
    ("screenshot-{n}.png", "image/png", 40_000, 2_500_000),
    ("IMG_{n}.jpg", "image/jpeg", 300_000, 4_000_000),
    ("screen-recording-{n}.gif", "image/gif", 500_000, 8_000_000),
    ("server-{n}.log", "text/plain", 2_000, 900_000),
    ("export-{n}.csv", "text/plain", 1_000, 5_000_000),
    ("invoice-{n}.pdf", "application/pdf", 30_000, 600_000),
    ("har-archive-{n}.zip", "application/zip", 100_000, 12_000_000),
    ("response-{n}.json", "text/plain", 500, 80_000),
]
SLOTS = ("area", "symptom", "when", "action", "env", "error")


class BugText:
    """Pools of filled-in issue and comment texts, drawn from a seeded generator once (the
    templates rendered once each); picking from a pool costs next to nothing per row."""

    def __init__(self, rng: random.Random, issues: int = 10_000, comments: int = 3_000) -> None:
        descriptions = [(md, markdown.render(md)) for md in DESCRIPTIONS]
        replies = [(md, markdown.render(md)) for md in COMMENTS]
        self.issues = [_issue(rng, descriptions) for _ in range(issues)]
        self.comments = [_fill(rng, rng.choice(replies)) for _ in range(comments)]

    def issue(self, rng: random.Random) -> tuple[str, str, str]:
        """(title, description, description_html)."""
        return rng.choice(self.issues)

    def comment(self, rng: random.Random) -> tuple[str, str]:
        """(body, body_html)."""
        return rng.choice(self.comments)


def attachment(rng: random.Random) -> tuple[str, str, int]:
    """(filename, content type, size)."""
    pattern, kind, low, high = rng.choice(ATTACHMENTS)
    return pattern.format(n=rng.randint(1000, 99999)), kind, rng.randint(low, high)


def check_rendering(text: BugText, rng: random.Random, samples: int = 50) -> None:
    """Raise if a filled template renders differently from its filled HTML."""
    for _ in range(samples):
        for md, html in (text.issue(rng)[1:], text.comment(rng)):
            if markdown.render(md) != html:
                raise AssertionError(f"template renders differently: {md!r}")


def _issue(rng: random.Random, templates: list[tuple[str, str]]) -> tuple[str, str, str]:
    values = _values(rng)
    md, html = rng.choice(templates)
    return rng.choice(TITLES).format(**values), *_fill(rng, (md, html), values)


def _fill(
    rng: random.Random, template: tuple[str, str], values: dict[str, str] | None = None
) -> tuple[str, str]:
    values = values or _values(rng)
    escaped = {k: escapeHtml(v) for k, v in values.items()}
    return template[0].format(**values), template[1].format(**escaped)


def _values(rng: random.Random) -> dict[str, str]:
    values = {name: rng.choice(LISTS[name]) for name in SLOTS}
    for name in ("area", "action"):
        values[name.capitalize()] = values[name][0].upper() + values[name][1:]
    values["n"] = str(rng.randint(1000, 99999))
    values["pct"] = str(rng.randint(2, 60))
    values["version"] = f"{rng.randint(2, 4)}.{rng.randint(0, 19)}.{rng.randint(0, 9)}"
    return values


LISTS = {
    "area": AREAS,
    "symptom": SYMPTOMS,
    "when": WHEN,
    "action": ACTIONS,
    "env": ENVS,
    "error": ERRORS,
}
