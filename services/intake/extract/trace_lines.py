"""Text -> the lines a stack-trace grammar reads: JSON log lines opened, log prefixes removed.

Every line of the text is first scanned for an *anchor*: a mark that only stack traces
make (`Traceback (most recent call last):`, `File "x", line 3`, `at a.b(C.java:1)`, a Go
`file.go:12 +0x1d` line...). Whatever stands before an anchor is that line's log prefix
(`2026-12-04T10:00:01.123Z stderr F`, `web-1  |`, `Dec  4 10:00:01 host app[12]:`). The
other lines of a trace (exception lines, `Caused by:`, Python source lines) carry the same
prefix with other digits, so they lose the prefix of the nearest anchor (digits and runs of
blanks may differ), or failing that a known prefix shape. Linear: each line is looked at a
fixed number of times, by patterns with bounded repetition only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from services.intake.extract import trace_formats as fmt

MAX_CHARS = 5_000_000  # text beyond is not read (a log file of a ZIP is at most 5 MB)
MAX_LINES = 200_000  # lines read, JSON lines opened included
MAX_LINE = 2_000  # characters of a line looked at
MAX_JSON_LINE = 200_000  # a longer JSON log line is not decoded
MAX_PREFIX = 300  # a learned log prefix longer than this is not one
WINDOW = 64  # lines around an anchor that may share its prefix
_DECORATION = " \t|>"  # left of a trace's text: indentation, `| ` columns, `> ` quotes

_ANSI = re.compile(r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]")
_ESCAPE = re.compile(r'\\(["\\/tr])')
_UNESCAPED = {'"': '"', "\\": "\\", "/": "/", "t": "\t", "r": ""}
# Marks of a trace inside a line with escaped newlines that is not valid JSON.
_ESCAPED_MARKS = ("\\n    at ", "\\n\\tat ", '\\n  File \\"', "\\ngoroutine ", "\\n   at ")
# Known prefix shapes, for a line whose neighbours taught nothing: timestamps, syslog,
# levels, bracketed fields, CRI stream tags, `name  |` columns.
_PREFIX_PART = re.compile(
    r"(?:\[?\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
    r"(?:Z|[+-]\d{2}:?\d{2}| ?[+-]\d{4})?\]?"
    r"|[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}(?: [\w.-]{1,64} [\w./-]{1,64}"
    r"(?:\[\d{1,10}\])?:)?"
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"|(?:stdout|stderr) [FP]"
    r"|\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|FATAL|SEVERE)\]?:?"
    r"|\[[^\]\n]{1,80}\]:?"
    r"|[\w.-]{1,64} {1,20}\|)[ \t]+"
)


def _raw_lines(text: str) -> Iterator[str]:
    """The text's lines, without building a list of all of them (the text may be huge)."""
    text = text[:MAX_CHARS]
    pos, size = 0, len(text)
    while pos <= size:
        end = text.find("\n", pos)
        if end < 0:
            end = size
        yield text[pos:end]
        pos = end + 1


def _strings_with_newlines(value: Any) -> list[str]:
    """The multi-line strings of a decoded JSON value, in document order (bounded walk)."""
    found: list[str] = []
    stack, visited = [value], 0
    while stack and visited < 10_000 and len(found) < 20:
        item = stack.pop()
        visited += 1
        if isinstance(item, str):
            if "\n" in item:
                found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def _expand_json(raw: str) -> list[str] | None:
    """The lines hidden in a JSON log line's escaped newlines, or None to keep it as it is."""
    start = raw.find("{")
    if start >= 0 and len(raw) <= MAX_JSON_LINE:
        end = raw.rfind("}")
        try:
            value = json.loads(raw[start : end + 1]) if end > start else None
        except (ValueError, RecursionError):  # not JSON, or nested too deep to decode
            value = None
        if value is not None:
            lines: list[str] = []
            for string in _strings_with_newlines(value):
                pieces = string.split("\n")
                if pieces[-1] == "":  # Docker's {"log": "...\n"}: one line, not two
                    pieces.pop()
                if lines:
                    lines.append("")  # keeps two fields' texts apart
                lines.extend(piece.rstrip("\r") for piece in pieces)
            return lines or None
    if any(mark in raw for mark in _ESCAPED_MARKS):
        # Truncated or prefixed JSON, a repr(): split on the escapes all the same.
        return [_ESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], p) for p in raw.split("\\n")]
    return None


def logical_lines(text: str) -> list[str]:
    """The text's lines, JSON log lines replaced by the lines inside them, capped."""
    out: list[str] = []
    for raw in _raw_lines(text):
        if len(out) >= MAX_LINES:
            break
        if "\x1b" in raw:  # colours of CI logs and terminals
            raw = _ANSI.sub("", raw[:MAX_JSON_LINE])
        expanded = _expand_json(raw) if "\\n" in raw else None
        if expanded is None:
            out.append(raw[:MAX_LINE].rstrip("\r"))
        else:
            out.extend(line[:MAX_LINE] for line in expanded[: MAX_LINES - len(out)])
    return out


def strip_like(line: str, prefix: str) -> int | None:
    """Where `line` continues after a prefix shaped like `prefix`: runs of digits and of
    blanks may differ (timestamps, pids, padding), everything else must be equal."""
    i = j = 0
    size, psize = len(line), len(prefix)
    while j < psize:
        if i >= size:
            return None
        a, b = line[i], prefix[j]
        if a.isdigit() and b.isdigit():
            while i < size and line[i].isdigit():
                i += 1
            while j < psize and prefix[j].isdigit():
                j += 1
        elif a in " \t" and b in " \t":
            while i < size and line[i] in " \t":
                i += 1
            while j < psize and prefix[j] in " \t":
                j += 1
        elif a == b:
            i += 1
            j += 1
        else:
            return None
    return i


def _known_prefix_end(line: str) -> int:
    pos = 0
    for _ in range(6):
        match = _PREFIX_PART.match(line, pos)
        if match is None:
            break
        pos = match.end()
    return pos


class TraceLines:
    """The lines of a text with, for each, its anchor (if any), body and indentation."""

    def __init__(self, text: str) -> None:
        self.raw = logical_lines(text)
        size = len(self.raw)
        self.anchors: list[fmt.Anchor | None] = [fmt.find_anchor(line) for line in self.raw]
        self.body: list[str] = [""] * size
        self.indent: list[int] = [0] * size
        prefixes = [
            line[: a.start].rstrip(" \t|>+") if a else None
            for a, line in zip(self.anchors, self.raw, strict=True)
        ]
        previous = -1
        nearest_before = [-1] * size
        for i, anchor in enumerate(self.anchors):
            nearest_before[i] = previous
            if anchor is not None and len(prefixes[i] or "") <= MAX_PREFIX:
                previous = i
        following = -1
        for i in range(size - 1, -1, -1):
            anchor = self.anchors[i]
            if anchor is not None:
                self._set_body(i, anchor.start, anchored=True)
                if len(prefixes[i] or "") <= MAX_PREFIX:
                    following = i
                continue
            start = self._prefix_end(i, nearest_before[i], following, prefixes)
            self._set_body(i, start)

    def __len__(self) -> int:
        return len(self.raw)

    def _prefix_end(self, i: int, before: int, after: int, prefixes: list[str | None]) -> int:
        line = self.raw[i]
        for near in (before, after):
            if near < 0 or abs(near - i) > WINDOW:
                continue
            prefix = prefixes[near] or ""
            if not prefix:
                return 0
            end = strip_like(line, prefix)
            if end is not None:
                return end
        return _known_prefix_end(line)

    def _set_body(self, i: int, start: int, *, anchored: bool = False) -> None:
        line = self.raw[i]
        body = line[start:] if anchored else line[start:].lstrip(_DECORATION)
        cut = len(line) - len(body)
        blanks = 0  # the indentation right before the text, after any `|` or `>`
        while blanks < cut and line[cut - 1 - blanks] in " \t":
            blanks += 1
        self.body[i] = body.rstrip()
        self.indent[i] = blanks
