"""How the lines of a stack trace follow each other: what the grammars share, the JVM's and
JavaScript's (Python's in trace_python, .NET's and Go's in trace_dotnet_go).

Each `parse_*` reads the trace whose first frame (or Python header, or Go goroutine line)
is line `i`, never above line `floor` (the end of the trace before), and returns what it
found or None. The parts of a chain are kept in printed order with the index of the root
cause. Every loop moves forward or is capped, and looking back for a header stops at the
previous anchor, so all parsers together read each line a bounded number of times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from services.intake.extract import trace_formats as fmt
from services.intake.extract.trace_lines import TraceLines

MAX_FRAMES = 50  # frames kept per exception (Python keeps the innermost ones)
MAX_PARTS = 16  # exceptions kept per chain
MAX_UP = 40  # lines between an exception header and its first frame
MAX_MESSAGE = 500


@dataclass
class Part:
    """One exception of a chain."""

    exception: str
    message: str
    frames: list[fmt.Frame] = field(default_factory=list)
    group: bool = False  # a Python exception group (a container, never the root cause)


@dataclass
class Found:
    language: str
    parts: list[Part]
    root: int  # the index of the root cause in parts
    end: int  # the line after the trace
    top: fmt.Frame | None = None  # when the grammar knows better than "first frame of root"


Header = tuple[str, str]  # exception type, message
HeaderParser = Callable[[str, bool], list[Header] | None]


def _add(part: Part, frame: fmt.Frame | None) -> None:
    if frame is not None and len(part.frames) < MAX_FRAMES:
        part.frames.append(frame)


def clip_message(text: str | None) -> str:
    return (text or "").strip()[:MAX_MESSAGE]


def find_header(
    lines: TraceLines, first: int, floor: int, parse: HeaderParser, passable: str = ""
) -> int:
    """The line of the exception header above a first frame, or -1. Text before the header
    is allowed only on the line right above the frames (a log message ending in it). The
    search stops at another trace's lines, except at anchors of the `passable` kind."""
    for j in range(first - 1, max(floor, first - MAX_UP) - 1, -1):
        anchor = lines.anchors[j]
        if anchor is not None and anchor.kind != passable:
            break
        if parse(lines.body[j], j == first - 1):
            return j
    return -1


def _first_message_line(lines: TraceLines, header: int, first: int, parts: list[Part]) -> None:
    """A header with an empty message (Prisma's starts with a newline) takes the next line."""
    if parts and not parts[-1].message:
        for j in range(header + 1, first):
            if lines.body[j]:
                parts[-1].message = clip_message(lines.body[j])
                break


def _headers(
    lines: TraceLines, first: int, floor: int, parse: HeaderParser
) -> tuple[int, list[Part]]:
    h = find_header(lines, first, floor, parse)
    if h < 0:
        return first, []
    parts = [Part(t, clip_message(m)) for t, m in parse(lines.body[h], h == first - 1) or []]
    _first_message_line(lines, h, first, parts)
    return h, parts


# --- JVM ----------------------------------------------------------------------------------

_JVM_HEAD = re.compile(
    r'(?:Exception in thread "[^"\n]{0,200}" )?'
    r"([A-Za-z_$][\w$]{0,100}(?:\.[\w$]{1,100}){1,30})(?::(?: ?(.*))?)?$"
)
_JVM_SEARCH = re.compile(
    r"(?<![\w$.])((?:[a-z_][\w$]{0,100}\.){1,30}[A-Z][\w$]{0,100})(?:: (.*)|:?$)"
)


def jvm_header(body: str, search: bool) -> list[Header] | None:
    body = body.removeprefix("Caused by: ")
    match = _JVM_HEAD.match(body) or (_JVM_SEARCH.search(body) if search else None)
    return [(match[1], match[2] or "")] if match else None


def parse_jvm(lines: TraceLines, i: int, floor: int) -> Found | None:
    start, parts = _headers(lines, i, floor, jvm_header)
    base = lines.indent[start] if parts else 1_000_000  # deeper `Caused by:`: a suppressed one
    if not parts:
        parts = [Part("", "")]
    current: Part | None = parts[0]  # None inside a `Suppressed:` block (left out)
    j, end, size, waiting, root_first = i, i, len(lines), 0, False
    while j < size:
        anchor, body = lines.anchors[j], lines.body[j]
        if anchor is not None and anchor.kind == fmt.JVM_AT:
            if current is not None:
                _add(current, anchor.frame)
            j, end, waiting = j + 1, j + 1, 0
        elif body.startswith("... ") and (body.endswith(" more") or body.endswith("omitted")):
            j, end = j + 1, j + 1
        elif body.startswith(("Caused by: ", "Wrapped by: ")) and lines.indent[j] <= base:
            header = jvm_header(body.removeprefix("Wrapped by: "), False)
            if header is None or len(parts) >= MAX_PARTS:
                break
            current = Part(header[0][0], clip_message(header[0][1]))
            parts.append(current)
            # Logback's root-cause-first output (%rEx) prints the root, then `Wrapped by:`.
            root_first = body.startswith("Wrapped by: ")
            j, end, waiting = j + 1, j + 1, 1
        elif body.startswith(("Suppressed: ", "Caused by: ")):
            current = None  # a suppressed exception (or its cause): not in the chain
            j, end, waiting = j + 1, j + 1, 1
        elif waiting and body and waiting < 20 and anchor is None:
            # The rest of a multi-line message between a `Caused by:` and its frames.
            if current is not None and not current.message:
                current.message = clip_message(body)
            j, waiting = j + 1, waiting + 1
        else:
            break
    frames = sum(len(p.frames) for p in parts)
    if frames == 0 or (not parts[0].exception and frames < 2):
        return None
    return Found(fmt.JAVA, parts, 0 if root_first else len(parts) - 1, end)


# --- JavaScript ---------------------------------------------------------------------------

_JS_NAME = r"(?:[A-Za-z_$][\w$]{0,80}\.){0,3}(?:[A-Z_$][\w$]{0,80}?)?(?:Error|Exception)"
_JS_TAIL = r"( \[[\w-]{1,80}\])?"
_JS_HEAD = re.compile(
    r"(?:Uncaught (?:\(in promise\) )?)?(" + _JS_NAME + ")" + _JS_TAIL + r"(?::(?: (.*))?)?$"
)
_JS_SEARCH = re.compile(
    r"(?<![\w$.])(?:Uncaught (?:\(in promise\) )?)?("
    + _JS_NAME
    + ")"
    + _JS_TAIL
    + r"(?:: (.*)|:?$)"
)


def js_header(body: str, search: bool) -> list[Header] | None:
    match = _JS_HEAD.match(body) or (_JS_SEARCH.search(body) if search else None)
    return [(match[1] + (match[2] or ""), match[3] or "")] if match else None


def parse_v8(lines: TraceLines, i: int, floor: int) -> Found | None:
    _, parts = _headers(lines, i, floor, js_header)
    if not parts:
        parts = [Part("", "")]
    current, j, size = parts[0], i, len(lines)
    depth, opened = 0, 0  # inside Node's `{ code: ..., [cause]: ... }` after a stack
    while j < size:
        anchor, body = lines.anchors[j], lines.body[j]
        if anchor is not None and anchor.kind == fmt.JS_AT:
            _add(current, anchor.frame)
            if anchor.flag and not depth:
                opened = j
            depth += anchor.flag
        elif not depth or not body or j - opened > 400:
            break
        elif lines.indent[j] == 0 and not body.startswith(("}", "]")):
            break  # Node indents what is inside the braces: this is the next log line
        elif body.startswith("[cause]: ") and len(parts) < MAX_PARTS:
            header = js_header(body[9:], False)
            if header is None:
                break
            current = Part(header[0][0], clip_message(header[0][1]))
            parts.append(current)
        else:
            depth += body.endswith(("{", "[")) - body.startswith(("}", "]"))
        j += 1
    frames = sum(len(p.frames) for p in parts)
    if frames == 0 or (not parts[0].exception and frames < 2):
        return None
    return Found(fmt.JAVASCRIPT, parts, len(parts) - 1, j)


def parse_firefox(lines: TraceLines, i: int, floor: int) -> Found | None:
    _, parts = _headers(lines, i, floor, js_header)
    part = parts[0] if parts else Part("", "")
    j, size = i, len(lines)
    while j < size:
        anchor = lines.anchors[j]
        if anchor is None or anchor.kind != fmt.FF_FRAME:
            break
        _add(part, anchor.frame)
        j += 1
    if not part.exception and j - i < 2:
        return None
    return Found(fmt.JAVASCRIPT, [part], 0, j)
