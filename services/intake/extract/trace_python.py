"""Python tracebacks: chains (`During handling...`, `The above exception...`), exception
groups (`+-+----` rulers, flattened in printed order), SyntaxError's caret lines, source
lines with or without their indentation (see trace_grammar for the common ground)."""

from __future__ import annotations

import re
from collections import deque

from services.intake.extract import trace_formats as fmt
from services.intake.extract.trace_grammar import MAX_FRAMES, MAX_PARTS, Found, Part, clip_message
from services.intake.extract.trace_lines import TraceLines

_PY_EXCEPTION = re.compile(r"([A-Za-z_]\w{0,100}(?:\.[A-Za-z_]\w{0,100}){0,20})(?::(?: (.*))?)?$")
_GROUP_SIZE = re.compile(r"\(\d{1,9} sub-exceptions?\)$")
_CHAINS = ("During handling of the above exception", "The above exception was the direct cause")


def _is_caret(body: str) -> bool:
    return bool(body) and not body.strip("^~ ")


def _separator(body: str) -> int:
    """Exception-group rulers: 1 between sub-exceptions (`+-+---- 1 ----`), -1 at the end
    of a group (`+------`), 0 for any other line."""
    if not body.startswith("+-") or body.strip("+-. 0123456789"):
        return 0
    return 1 if any(c.isdigit() for c in body) or "..." in body else -1


def _python_section(lines: TraceLines, j: int, grouped: bool) -> tuple[Part, int] | None:
    """One traceback: header, frames with their source lines, the exception line."""
    anchor = lines.anchors[j]
    header = anchor is not None and anchor.kind == fmt.PY_HEADER
    group = header and anchor is not None and anchor.flag
    if header:
        j += 1
    elif anchor is None or anchor.kind != fmt.PY_FILE:
        # A sub-exception of a group that was never raised has no traceback at all.
        match = _PY_EXCEPTION.match(lines.body[j]) if grouped else None
        if match:
            message = clip_message(match[2])
            return Part(match[1], message, group=bool(_GROUP_SIZE.search(message))), j + 1
        return None
    frames: deque[fmt.Frame] = deque(maxlen=MAX_FRAMES)
    size = len(lines)
    while j < size:
        anchor = lines.anchors[j]
        if anchor is not None and anchor.kind == fmt.PY_FILE and anchor.frame:
            frames.append(anchor.frame)
            indent, j, seen = lines.indent[j], j + 1, 0
            while j < size and seen < 8 and lines.anchors[j] is None and lines.body[j]:
                nxt = j + 1 < size and (
                    lines.anchors[j + 1] is not None or _is_caret(lines.body[j + 1])
                )
                deeper = lines.indent[j] - indent
                if deeper > 0 or _is_caret(lines.body[j]) or (seen == 0 and deeper == 0 and nxt):
                    # Source lines and carets (3.11+); with indentation lost, a line before
                    # another frame or a caret line is source too.
                    j, seen = j + 1, seen + 1
                else:
                    break
        elif lines.body[j].startswith("[Previous line") or lines.body[j].startswith("[Previous "):
            j += 1
        else:
            break
    match = _PY_EXCEPTION.match(lines.body[j]) if j < size and lines.anchors[j] is None else None
    if match and (header or frames):
        part = Part(match[1], clip_message(match[2]), list(frames))
        part.group = group or bool(_GROUP_SIZE.search(part.message))
        return part, j + 1
    if frames and header:
        return Part("", "", list(frames)), j
    if len(frames) >= 2:
        return Part("", "", list(frames)), j
    return None


def _python_next(lines: TraceLines, j: int, depth: int) -> tuple[int, int]:
    """Where the chain goes on after an exception line: (next section, group depth), or -1.
    Skips the rest of a multi-line message, the rulers of exception groups, blank lines."""
    size, steps = len(lines), 0
    while j < size and steps < 30:
        body = lines.body[j]
        if body.startswith(_CHAINS):
            j += 1
            while j < size and not lines.body[j] and steps < 34:
                j, steps = j + 1, steps + 1
            anchor = lines.anchors[j] if j < size else None
            return (j, depth) if anchor and anchor.kind == fmt.PY_HEADER else (-1, 0)
        ruler = _separator(body) if depth > 0 else 0
        if ruler > 0:  # a sub-exception follows: a traceback or a bare exception line
            return j + 1, depth
        if ruler == 0 and lines.anchors[j] is not None:
            return -1, 0  # another trace
        depth += ruler
        j, steps = j + 1, steps + 1
    return -1, 0


def parse_python(lines: TraceLines, i: int, floor: int) -> Found | None:
    parts: list[Part] = []
    j, depth, end = i, 0, i
    while len(parts) < MAX_PARTS:
        section = _python_section(lines, j, depth > 0)
        if section is None:
            break
        part, j = section
        parts.append(part)
        end = j
        depth += part.group
        j, depth = _python_next(lines, j, depth)
        if j < 0:
            break
        end = max(end, j)
    if not parts or not any(p.frames for p in parts):
        return None
    # The root cause: the first exception printed that is not a group.
    root = next((k for k, p in enumerate(parts) if not p.group), 0)
    return Found(fmt.PYTHON, parts, root, end)
