"""What makes two alike-sounding issues different: the facets a title names, error codes.

    extract_codes(text) -> frozenset[str]   error codes and identifiers ("ERR_CONNECTION_REFUSED",
                                            "ORA-00942", "E11000", "HTTP 413", "0x80070005")
    facets(text) -> dict[str, frozenset[str]]   category -> values named ("browser": {"safari"})
    conflicts(a, b) -> list[str]            the categories where two titles name different
                                            values, as reasons ("Safari / Firefox")

A sentence embedding puts "logged out every few minutes on Safari" right next to "... on
Firefox": both are about browsers. Issue trackers are full of such pairs, and a reporter who
rewords an issue keeps the browser, the platform, the role, the file format, the direction
("upload" stays "upload"). So two titles that name *different* values of one facet are
evidence against a duplicate, and the re-ranker (score.py) weighs it. The vocabulary is
general software vocabulary (platforms, browsers, devices, file formats, roles, sign-in and
payment providers, common integrations, languages, units, days, opposite verbs); it is not a
list of this tracker's products.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from .lexical import normalise

# -- error codes and identifiers -----------------------------------------------------------

_UPPER_SNAKE = re.compile(r"\b(?:net::)?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b")  # ERR_TLS_...
_LOWER_SNAKE = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+){1,4})\b")  # card_declined
_ERRORISH = re.compile(
    r"(?:^|_)(?:err|error|errors|fail|failed|failure|declined|denied|invalid|mismatch|expired|"
    r"timeout|refused|exceeded|unavailable|forbidden|unauthorized|conflict|rejected|missing|"
    r"insufficient|unsupported|unknown|not|no|bad|too)(?:_|$)"
)
_PREFIXED = re.compile(r"\b([A-Z]{1,5}-?\d{3,6})\b")  # ORA-00942, E11000, CS0246, KB5034441
_ERRNO = re.compile(
    r"\b(E(?:CONN[A-Z]+|NOENT|NOSPC|ACCES|PERM|TIMEDOUT|ADDRINUSE|PIPE|HOSTUNREACH|NETUNREACH|"
    r"NOTFOUND|MFILE|EXIST|AGAIN|INVAL|NOMEM|BUSY|ROFS|PROTO|CANCELED|AI_AGAIN))\b"
)
_HRESULT = re.compile(r"\b0x([0-9A-Fa-f]{8})\b")
_NUMBERED = re.compile(r"\b(?:error|code)\s*[:#(]?\s*(\d{4,6})\b", re.IGNORECASE)  # error 3016
_HTTP = (
    re.compile(r"\b(?:HTTP|status|error|code)\s*:?\s*([1-5]\d\d)\b", re.IGNORECASE),
    re.compile(r"\b([45]\d\d)\s+(?:error|response|status|code)\b", re.IGNORECASE),
    re.compile(
        r"\b(?:an?|returns?|gives?|gets?|got|shows?|throws?|with)\s+([45]\d\d)(?=\s*(?:$|[.,;:)]|from|"
        r"instead|when|on|for|error))",
        re.IGNORECASE,
    ),
)
_HTTP_PHRASES = {
    "bad gateway": "502",
    "gateway timeout": "504",
    "internal server error": "500",
    "service unavailable": "503",
    "request entity too large": "413",
    "payload too large": "413",
    "unsupported media type": "415",
    "too many requests": "429",
    "proxy authentication required": "407",
}


def extract_codes(text: str) -> frozenset[str]:
    """The error codes and identifiers in `text`, upper-cased ("card_declined" ->
    "CARD_DECLINED"; HTTP statuses as "HTTP 413", also when only their reason phrase is
    written). A shared code is strong evidence of one problem; a shared HTTP status is weaker
    (score.py tells them apart with `is_generic_code`)."""
    if not text:
        return frozenset()
    found: set[str] = set()
    for pattern in (_UPPER_SNAKE, _PREFIXED, _ERRNO):
        found.update(m.group(1).upper() for m in pattern.finditer(text))
    found.update(f"0x{m.group(1).upper()}" for m in _HRESULT.finditer(text))
    found.update(f"ERROR {m.group(1)}" for m in _NUMBERED.finditer(text))
    for m in _LOWER_SNAKE.finditer(text):
        if _ERRORISH.search(m.group(1)):
            found.add(m.group(1).upper())
    for pattern in _HTTP:
        found.update(f"HTTP {m.group(1)}" for m in pattern.finditer(text))
    lowered = text.lower()
    for phrase, status in _HTTP_PHRASES.items():
        if phrase in lowered:
            found.add(f"HTTP {status}")
    return frozenset(found)


def is_generic_code(code: str) -> bool:
    """An HTTP status: many unrelated problems share "HTTP 500"."""
    return code.startswith("HTTP ")


# -- facets --------------------------------------------------------------------------------

_FACETS: dict[str, dict[str, str]] = {}


def _facet(category: str, groups: Iterable[str]) -> None:
    """Each group is 'value: synonym, synonym, ...' (the value itself matches too)."""
    table = _FACETS.setdefault(category, {})
    for group in groups:
        value, _, rest = group.partition(":")
        value = value.strip()
        for phrase in [value, *(s.strip() for s in rest.split(",") if s.strip())]:
            table[phrase] = value


_facet(
    "platform",
    [
        "windows: win10, win11, windows 10, windows 11",
        "macos: mac, osx, os x, macbook, sonoma, ventura, monterey",
        "linux: ubuntu, debian, fedora, red hat, rhel, centos, arch linux, mint",
        "android: pixel, galaxy, oneplus, xiaomi, huawei",
        "ios: iphone, ipad, ipados",
        "chromeos: chromebook, chrome os",
        "tv: smart tv, tizen, webos, android tv, apple tv, fire tv, roku, television",
        "watch: watchos, apple watch, wear os, smartwatch",
    ],
)
_facet(
    "browser",
    [
        "chrome: google chrome",
        "chromium",
        "firefox: mozilla",
        "safari: mobile safari",
        "edge: microsoft edge",
        "opera",
        "brave",
        "internet explorer: ie11",
        "samsung internet",
    ],
)
_facet(
    "app",
    [
        "desktop app: desktop client, electron app",
        "mobile app: phone app",
        "web app: web version, website, browser version",
        "api: rest api, graphql",
    ],
)
_facet(
    "format",
    [
        "csv",
        "pdf",
        "excel: xlsx, xls, spreadsheet",
        "word: docx, doc file",
        "json",
        "xml",
        "html",
        "markdown",
        "png",
        "jpeg: jpg",
        "gif",
        "heic",
        "svg",
        "webp",
        "zip: archive",
        "txt",
        "gpx",
        "ics: ical",
        "vtt: srt",
        "mp4: mov",
        "mp3: wav",
        "dwg",
    ],
)
_facet(
    "media",
    [
        "image: photo, picture, screenshot, pic, thumbnail",
        "video: movie, clip, recording",
        "audio: voice, voice note, voice message, sound",
    ],
)
_facet(
    "role",
    [
        "admin: admins, administrator, administrators, superuser",
        "owner: owners, account owner, workspace owner",
        "member: members, regular user, regular users, non-admin, non-admins",
        "guest: guests, guest user, guest users, external user",
        "viewer: viewers, read-only user, read-only users, read only",
        "editor: editors",
        "billing contact: billing contacts, billing role, finance",
        "team lead: team leads, team leader, manager, managers",
        "moderator: moderators",
        "support agent: support agents, support staff",
        "customer: customers, client, clients",
    ],
)
_facet(
    "provider",
    [
        "google: gmail, google account, google pay, google workspace",
        "apple: apple id, apple pay, icloud",
        "microsoft: azure, azure ad, entra, entra id, office 365, microsoft 365, outlook",
        "okta",
        "auth0",
        "github",
        "gitlab",
        "bitbucket",
        "facebook: meta",
        "linkedin",
        "paypal",
        "stripe",
        "klarna",
        "visa",
        "mastercard",
        "american express: amex",
        "slack",
        "microsoft teams: ms teams",
        "jira",
        "trello",
        "asana",
        "zapier",
        "dropbox",
        "onedrive: sharepoint",
        "google drive: shared drive, shared drives",
        "google calendar",
        "salesforce",
        "hubspot",
        "zendesk",
        "notion",
        "alexa: amazon echo",
        "google assistant",
        "siri",
        "aws: s3, amazon s3",
        "gcp: google cloud",
    ],
)
_facet(
    "locale",  # languages, countries and their adjectives: one value per language or country
    [
        "english: en-us, en-gb",
        "german: deutsch, germany",
        "austrian: austria",
        "swiss: switzerland",
        "french: francais, france",
        "spanish: spain",
        "italian: italy",
        "portuguese: portugal",
        "brazilian: brazil",
        "dutch: netherlands",
        "belgian: belgium",
        "polish: poland",
        "russian: russia",
        "ukrainian: ukraine",
        "turkish: turkey",
        "arabic",
        "hebrew: israel",
        "japanese: japan",
        "chinese: mandarin, china",
        "korean: korea",
        "hindi",
        "indian: india",
        "swedish: sweden",
        "norwegian: norway",
        "danish: denmark",
        "finnish: finland",
        "greek: greece",
        "czech: czechia",
        "irish: ireland",
        "british: uk, united kingdom, britain, england",
        "american: usa, united states",
        "canadian: canada",
        "australian: australia",
        "mexican: mexico",
    ],
)
_facet(
    "day",
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "weekend: weekends",
    ],
)
_facet(
    "time of day",
    [
        "morning",
        "noon: midday, lunchtime",
        "afternoon",
        "evening",
        "night: midnight, overnight",
        "sunrise: dawn",
        "sunset: dusk",
    ],
)
_facet(
    "unit",
    [
        "metric: kilometres, kilometers, km",
        "imperial: miles, mi",
        "celsius",
        "fahrenheit",
        "utc: gmt",
    ],
)
_facet(
    "date field",
    [
        "due date: deadline, due dates",
        "start date: start dates",
        "end date: end dates",
        "creation date: created date, created at",
        "modified date: updated date, last modified, updated at",
        "expiry date: expiration date, expiry",
    ],
)
_facet(
    "scope",
    [
        "workspace: workspaces, organization, organisation, org, tenant",
        "project: projects",
        "folder: folders, directory",
    ],
)
_facet(
    "side",
    ["left", "right", "top", "bottom"],
)
_facet(
    "count",
    [
        "never: not at all",
        "once: one time, only once",
        "twice: two times, double, duplicate, duplicated, duplicates, 2 times, three times, "
        "triplicate, multiple times, again and again",
    ],
)

# Opposite actions: the two poles of a pair. "uploads" vs "downloads" are different issues.
_OPPOSITES = [
    ("upload", "download"),
    ("upgrade", "downgrade"),
    ("import", "export"),
    ("sign in", "sign out"),
    ("log in", "log out"),
    ("login", "logout"),
    ("enable", "disable"),
    ("show", "hide"),
    ("open", "close"),
    ("start", "stop"),
    ("enter", "leave"),
    ("increase", "decrease"),
    ("accept", "reject"),
    ("allow", "block"),
    ("add", "remove"),
    ("lock", "unlock"),
    ("mute", "unmute"),
    ("subscribe", "unsubscribe"),
    ("early", "late"),
    ("first", "last"),
    ("min", "max"),
    ("light", "dark"),
    ("public", "private"),
    ("read", "unread"),
    ("online", "offline"),
    ("incoming", "outgoing"),
    ("portrait", "landscape"),
    ("expand", "collapse"),
    ("encrypt", "decrypt"),
    ("connect", "disconnect"),
    ("archive", "unarchive"),
    ("pin", "unpin"),
    ("follow", "unfollow"),
    ("install", "uninstall"),
    ("zoom in", "zoom out"),
    ("fast", "slow"),
    ("own", "other"),
]
_INFLECT = ("", "s", "ed", "d", "ing", "es")


def _opposite_table() -> dict[str, tuple[int, int]]:
    table: dict[str, tuple[int, int]] = {}
    for n, pair in enumerate(_OPPOSITES):
        for pole, phrase in enumerate(pair):
            head, _, tail = phrase.partition(" ")
            stem = head[:-1] if head.endswith("e") else head
            for suffix in _INFLECT:
                word = (head + suffix) if suffix in ("", "s", "d") else (stem + suffix)
                key = f"{word} {tail}".strip()
                table.setdefault(key, (n, pole))
            if len(head) > 2 and head[-1] not in "aeiouwxy" and head[-2] in "aeiou":
                for suffix in ("ed", "ing"):  # stop -> stopped, stopping
                    table.setdefault(f"{head}{head[-1]}{suffix} {tail}".strip(), (n, pole))
    for n, pair in enumerate(_OPPOSITES):  # the plain forms win over inflection collisions
        for pole, phrase in enumerate(pair):
            table[phrase] = (n, pole)
    return table


_OPPOSITE_TABLE = _opposite_table()
_PHRASE_SPLIT = re.compile(r"[^a-z0-9+\-]+")


def _ngrams(text: str) -> list[str]:
    words = [w for w in _PHRASE_SPLIT.split(normalise(text).replace("'", "")) if w]
    out = list(words)
    out += [f"{a} {b}" for a, b in itertools.pairwise(words)]
    out += [f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    return out


def facets(text: str) -> dict[str, frozenset[str]]:
    """Category -> the values `text` names ({"browser": {"safari"}, "role": {"member"}})."""
    grams = _ngrams(text)
    found: dict[str, set[str]] = {}
    for category, table in _FACETS.items():
        for gram in grams:
            value = table.get(gram)
            if value is not None:
                found.setdefault(category, set()).add(value)
    for gram in grams:
        hit = _OPPOSITE_TABLE.get(gram)
        if hit is not None:
            n, pole = hit
            found.setdefault(f"action:{n}", set()).add(_OPPOSITES[n][pole])
    return {category: frozenset(values) for category, values in found.items()}


def conflicts(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> list[str]:
    """Reasons, one per category in which `a` and `b` name different values and share none
    ("browser: Safari / Firefox")."""
    out = []
    for category in sorted(a.keys() & b.keys()):
        va, vb = a[category], b[category]
        if va and vb and not (va & vb):
            label = "action" if category.startswith("action:") else category
            out.append(f"{label}: {', '.join(sorted(va))} / {', '.join(sorted(vb))}")
    return out


_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)(?:\s*(%|gb|mb|kb|tb|ms|h|s|x))?(?![\w])")


def numbers(text: str) -> frozenset[str]:
    """Numbers written in `text` with their unit ("2 gb", "99 %", "17"), not inside codes."""
    return frozenset(
        f"{m.group(1).replace(',', '.')} {m.group(2) or ''}".strip()
        for m in _NUMBER.finditer(normalise(text))
    )
