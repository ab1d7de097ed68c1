"""Credentials in text, found and masked before the text is stored or shown.

Named `secrets_scan` so that `import secrets` keeps meaning the standard library.

Kinds (the marker says which: `[secret masked: aws_access_key]`):
- by shape: aws_access_key (AKIA/ASIA...), github_token (ghp_/gho_/ghu_/ghs_/ghr_,
  github_pat_), gitlab_token (glpat-...), slack_token (xoxb-/xoxp-..., webhook paths),
  stripe_key (sk_/rk_, live and test), openai_key (sk-..., sk-proj-...), anthropic_key,
  google_api_key (AIza...), npm_token (npm_...), sendgrid_key, jwt (three base64url parts
  whose header is JSON with "alg"), private_key (PEM blocks: the lines between BEGIN and END),
  gcp_service_account_key (the same inside a JSON "private_key" string);
- by context: aws_secret_key (40 characters after an AWS secret key name or an access
  key), azure_connection_string (AccountKey= / SharedAccessKey=), connection_string (the
  password of scheme://user:password@host), bearer_token and basic_auth (Authorization
  headers), password and credential (the value of a password/passwd/pwd/secret/token/
  api_key/... key after `=`, `:` or `=>`, quoted or not: env files, query strings, JSON,
  YAML, HTTP headers, `--password x`, `mysql -pX`, `curl -u user:X`).

Only the value is masked: `password=[secret masked: password]` keeps the key readable.

Not flagged, by decision:
- placeholders: empty values, masks (`********`, `xxxx`), references (`${DB_PASSWORD}`,
  `$TOKEN`, `$(vault ...)`, `{{ vault_db_password }}`, `%(password)s`, `<your token>`,
  `[REDACTED]`), words such as none/null/true/string/redacted, values starting with "your"
  or containing "example" (AWS's documented AKIAIOSFODNN7EXAMPLE pair included: it is no
  credential, and flagging it would teach users that the masker cries wolf);
- `password=changeme` IS masked: defaults like changeme are often the live password, and
  masking a word costs far less than leaking a working one;
- code reading a secret (`password = getpass.getpass()`, `api_key = os.environ[...]`), type
  annotations (`password: str`), keys that merely contain a word (`max_tokens=4096`,
  `PASSWORD_MIN_LENGTH`, `token_type`); git SHAs, UUIDs, hashes and base64 data are never
  matched by shape (no rule looks for bare hex or base64).
- In prose, `password: word` after a colon counts only when the key starts its line (YAML,
  headers) or the value looks generated (letters with digits or symbols, 6+ characters).

Every pattern has bounded quantifiers and, where it could start anywhere, a look-behind
that makes it start only at a token's first character, so 200,000 characters of hostile
text stay linear (tests/intake/test_secrets.py times them).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

VERSION = "1"
MAX_PEM_CHARS = 20_000  # a private key block is searched for its END this far


@dataclass(frozen=True)
class SecretHit:
    kind: str
    start: int  # the masked value's span in the text
    end: int


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    priority: int  # the higher wins when hits overlap
    check: str = ""  # a validator's name (see _valid)


def _rule(kind: str, pattern: str, priority: int, check: str = "") -> _Rule:
    return _Rule(kind, re.compile(pattern), priority, check)


_SEP = r"[\"']?[ \t]{0,16}(?:=>|:=|[:=])[ \t]{0,3}[\"']?"
_AUTH = r"(?i:authorization)[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?[ \t]{0,3}"
_AWS_NAME = r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)"
_AWS_ID = r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}"
_AWS_FORTY = r"(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
_B = r"(?<![A-Za-z0-9_+/-])"  # starts a token (not inside a longer word or base64 run)
_E = r"(?![A-Za-z0-9_-])"
RULES = (
    _rule(
        "jwt",
        _B + r"(?P<v>eyJ[A-Za-z0-9_-]{8,1000}\.[A-Za-z0-9_-]{4,8000}\.[A-Za-z0-9_-]{0,1000})" + _E,
        90,
        "jwt",
    ),
    _rule(
        "aws_access_key",
        r"(?<![A-Za-z0-9])(?P<v>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])",
        80,
        "example",
    ),
    _rule(
        "github_token",
        _B + r"(?P<v>gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})" + _E,
        80,
    ),
    _rule("gitlab_token", _B + r"(?P<v>gl(?:pat|ptt|dt|rt|cbt|oas)-[A-Za-z0-9_-]{20,64})" + _E, 80),
    _rule("slack_token", _B + r"(?P<v>xox[abposr]-[A-Za-z0-9-]{10,250})" + _E, 80),
    _rule(
        "slack_token",
        r"hooks\.slack\.com/services/(?P<v>T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,40})",
        80,
    ),
    _rule("stripe_key", _B + r"(?P<v>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247})" + _E, 80),
    _rule("anthropic_key", _B + r"(?P<v>sk-ant-[a-z]{3,8}\d{2}-[A-Za-z0-9_-]{40,200})" + _E, 81),
    _rule(
        "openai_key",
        _B + r"(?P<v>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,250})" + _E,
        80,
        "mixed",
    ),
    _rule("google_api_key", _B + r"(?P<v>AIza[0-9A-Za-z_-]{35})" + _E, 80),
    _rule("npm_token", _B + r"(?P<v>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])", 80),
    _rule("sendgrid_key", _B + r"(?P<v>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + _E, 80),
    _rule("aws_secret_key", _AWS_NAME + _SEP + _AWS_FORTY, 70, "example"),
    _rule("aws_secret_key", _AWS_ID + r"[\"']?[ \t]{0,3}[,;\t|:][ \t]{0,3}[\"']?" + _AWS_FORTY, 70),
    _rule(
        "azure_connection_string",
        r"(?i:AccountKey|SharedAccessKey)[ \t]{0,3}=[ \t]{0,3}(?P<v>[A-Za-z0-9+/]{20,200}={0,2})",
        70,
        "example",
    ),
    _rule(
        "connection_string",
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@?#'\"]{0,100}:"
        r"(?P<v>[^\s@/?#'\"]{1,200})@(?=[A-Za-z0-9\[])",
        60,
        "placeholder",
    ),
    _rule("bearer_token", _AUTH + r"(?i:bearer)[ \t]{1,3}(?P<v>[A-Za-z0-9._~+/=-]{8,4000})", 50),
    _rule("basic_auth", _AUTH + r"(?i:basic)[ \t]{1,3}(?P<v>[A-Za-z0-9+/]{8,1000}={0,2})", 50),
    _rule(
        "password",
        r"\bcurl\b[^\n]{0,500}?[ \t](?:-u|--user)[ \t]{1,3}[\"']?[^\s:\"']{1,100}:"
        r"(?P<v>[^\s\"']{1,200})",
        45,
        "placeholder",
    ),
    _rule(
        "password",
        r"\bmysql(?:dump|admin)?\b[^\n]{0,500}?[ \t]-p(?P<v>[^\s\"'-][^\s\"']{0,200})",
        45,
        "placeholder",
    ),
)
_KEYWORD = re.compile(
    r"(?i)(?:passwd|password|passphrase|pwd|pass|secret|token|api[_-]?key|apikey|"
    r"access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?key|credentials?)(?![A-Za-z0-9_])"
)
_PASSWORD_WORDS = ("pass", "pwd", "passphrase")
# Aligned assignments (`db_password    = "..."`) have many spaces before the separator.
_SEPARATOR = r"[\"']?[ \t]{0,16}(?P<sep>=>|:=|[:=])[ \t]{0,3}"
_QUOTED = r"\"(?P<dq>[^\"\n]{1,300})\"|'(?P<sq>[^'\n]{1,300})'"
# A bare value ends at white space, quotes, `;` (.NET connection strings) and `,`; in a URL's
# query string also at `&` and `#`.
_AFTER_KEY = re.compile(_SEPARATOR + r"(?:" + _QUOTED + r"|(?P<bare>[^\s\"'`<>;,]{1,300}))")
_AFTER_QUERY_KEY = re.compile(_SEPARATOR + r"(?:" + _QUOTED + r"|(?P<bare>[^\s\"'`<>;,&#]{1,300}))")
_AFTER_FLAG = re.compile(r"[ \t]{1,3}(?P<bare>[^\s\"'-][^\s\"']{0,300})")
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_PLACEHOLDER_WORDS = frozenset(
    {
        "none",
        "null",
        "nil",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "str",
        "string",
        "int",
        "bool",
        "bytes",
        "any",
        "optional",
        "required",
        "redacted",
        "masked",
        "hidden",
        "removed",
        "placeholder",
        "todo",
        "tbd",
        "default",
        "env",
        "password",
        "secret",
        "token",
    }
)
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_NEWLINE = re.compile(r"\r?\n|(?:\\r)?\\n")


def find_secrets(text: str) -> list[SecretHit]:
    """Every credential's value in `text`, in order, without overlaps."""
    candidates = [*_pem_blocks(text), *_pairs(text)]
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            value = match.group("v")
            if _valid(rule.check, value):
                candidates.append((rule.priority, SecretHit(rule.kind, *match.span("v"))))
    candidates.sort(key=lambda c: (-c[0], c[1].start - c[1].end, c[1].start))
    # Accepted hits never overlap, so a new one need only be compared with its neighbours in
    # start order (thousands of hits in hostile text stay cheap).
    starts: list[int] = []
    taken: list[SecretHit] = []
    for _, hit in candidates:
        at = bisect.bisect(starts, hit.start)
        if at and taken[at - 1].end > hit.start:
            continue
        if at < len(taken) and taken[at].start < hit.end:
            continue
        starts.insert(at, hit.start)
        taken.insert(at, hit)
    return taken


def mask(text: str) -> tuple[str, list[SecretHit]]:
    """The text with each secret's value replaced by `[secret masked: kind]`."""
    hits = find_secrets(text)
    parts, at = [], 0
    for hit in hits:
        parts += [text[at : hit.start], f"[secret masked: {hit.kind}]"]
        at = hit.end
    parts.append(text[at:])
    return "".join(parts), hits


def _valid(check: str, value: str) -> bool:
    if check == "jwt":
        return _jwt_header(value)
    if check == "example":
        return "EXAMPLE" not in value.upper()
    if check == "mixed":  # generated, not a hyphenated slug such as sk-learn-some-thing
        return "T3BlbkFJ" in value or (
            any(c.isdigit() for c in value)
            and any(c.isupper() for c in value)
            and any(c.islower() for c in value)
        )
    if check == "placeholder":
        return not _placeholder(value)
    return True


def _jwt_header(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        data = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):
        return False
    return isinstance(data, dict) and "alg" in data


def _placeholder(value: str) -> bool:
    value = value.strip()
    lower = value.lower()
    return (
        not value
        or len(set(value)) == 1
        or set(value) <= set("*x•.-_#?X")
        or value.startswith(("$", "%", "{{", "<", "[", "#{", "@"))
        or lower in _PLACEHOLDER_WORDS
        or lower.startswith("your")
        or "example" in lower
    )


def _pairs(text: str) -> Iterator[tuple[int, SecretHit]]:
    """Values of keys that name a secret: `password=...`, `"api_key": "..."`, `--token x`."""
    for keyword in _KEYWORD.finditer(text):
        start = keyword.start()
        word = keyword.group().lower()
        before = text[start - 1 : start]
        if (
            word in ("pass", "pwd")
            and before.isalpha()
            and not (before.islower() and keyword.group()[0].isupper())
        ):
            continue  # bypass, compass; but dbPass and DB_PASS are keys
        while start > 0 and keyword.start() - start < 60 and text[start - 1] in _KEY_CHARS:
            start -= 1
        key = text[start : keyword.end()]
        in_query = text[start - 1 : start] in ("?", "&")
        after = (_AFTER_QUERY_KEY if in_query else _AFTER_KEY).match(text, keyword.end())
        if after is None and key.startswith("-"):
            after = _AFTER_FLAG.match(text, keyword.end())  # --password hunter2
        if after is None:
            continue
        found = after.groupdict()
        group = next(g for g in ("dq", "sq", "bare") if found.get(g) is not None)
        value = after.group(group)
        if group == "bare" and any(c in value for c in "([{"):
            continue  # code: password = getpass.getpass(), os.environ["..."]
        if _placeholder(value) or value.lower() == key.lower().strip("-"):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        leads = text[line_start:start].strip(" \t-\"'")
        if (
            after.groupdict().get("sep") == ":"
            and group == "bare"
            and leads
            and not _generated(value)
        ):
            continue  # prose: "Forgot your password: click here"
        kind = "password" if word.startswith(_PASSWORD_WORDS) else "credential"
        yield 40, SecretHit(kind, *after.span(group))


def _generated(value: str) -> bool:
    return (
        len(value) >= 6
        and any(c.isdigit() or not c.isalnum() for c in value)
        and any(c.isalpha() for c in value)
    )


def _pem_blocks(text: str) -> Iterator[tuple[int, SecretHit]]:
    """The body of each PEM private key (BEGIN and END lines stay readable); JSON-escaped
    newlines (a service-account file) count as newlines."""
    begins = list(_PEM_BEGIN.finditer(text))
    for n, begin in enumerate(begins):
        limit = min(
            begin.end() + MAX_PEM_CHARS, begins[n + 1].start() if n + 1 < len(begins) else len(text)
        )
        first = _NEWLINE.match(text, begin.end())
        if first is None:
            continue
        end = text.find("-----END", first.end(), limit)
        stop = end if end >= 0 else limit
        body = text[first.end() : stop]
        trailing = re.search(r"(?:\r?\n|(?:\\r)?\\n)\Z", body)
        value_end = first.end() + (trailing.start() if trailing else len(body))
        if end < 0:  # no END: the key runs while lines look like base64 or PEM headers
            value_end = first.end() + _pem_run(body)
        if value_end <= first.end():
            continue
        escaped = first.group().startswith("\\")
        context = text[max(0, begin.start() - 300) : begin.start()]
        kind = (
            "gcp_service_account_key" if escaped and '"private_key"' in context else "private_key"
        )
        yield 100, SecretHit(kind, first.end(), value_end)


def _pem_run(body: str) -> int:
    """Length of the leading run of base64 / header lines of a PEM body without END."""
    at = 0
    for line in _NEWLINE.split(body)[:400]:
        if not re.fullmatch(r"[A-Za-z0-9+/=]{1,100}|[A-Za-z-]{1,20}: ?[^\n]{0,100}|", line):
            break
        at = body.find(line, at) + len(line)
    return at
