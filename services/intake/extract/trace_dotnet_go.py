""".NET exception chains and Go panics (see trace_grammar for the common ground)."""

from __future__ import annotations

import re

from services.intake.extract import trace_formats as fmt
from services.intake.extract.trace_grammar import (
    MAX_FRAMES,
    MAX_PARTS,
    MAX_UP,
    Found,
    Header,
    Part,
    clip_message,
    find_header,
)
from services.intake.extract.trace_lines import TraceLines

# --- .NET ---------------------------------------------------------------------------------

_HRESULT = r"(?: \((?:0x[0-9A-Fa-f]{1,16}|-?\d{1,10})\))?"  # SqlException (0x80131904)
_NET_HEAD = re.compile(
    r"(?:Unhandled [Ee]xception[.:] )?(?:---> )?([A-Za-z_][\w.`+<>]{0,200}Exception)"
    + _HRESULT
    + r"(?::(?: ?(.*))?)?$"
)
_NET_SEARCH = re.compile(
    r"(?<![\w.`])((?:[A-Za-z_]\w{0,100}\.){1,20}\w{0,100}Exception)" + _HRESULT + r"(?:: (.*)|:?$)"
)


def dotnet_header(body: str, search: bool) -> list[Header] | None:
    """`Outer: msg ---> Inner: msg` (.NET Framework puts the chain on one line)."""
    match = _NET_HEAD.match(body) or (_NET_SEARCH.search(body) if search else None)
    if match is None:
        return None
    pieces = (match[2] or "").split(" ---> ")
    chain = [(match[1], pieces[0])]
    for piece in pieces[1 : MAX_PARTS + 1]:
        inner = _NET_HEAD.match(piece)
        if inner is None:
            break
        chain.append((inner[1], inner[2] or ""))
    return chain


def _dotnet_chain(lines: TraceLines, first: int, floor: int) -> tuple[list[Part], int]:
    """The outer header and the ` ---> Inner: msg` lines under it, outermost first, and the
    line of the last of them. An innermost exception without frames puts `--- End of inner
    exception stack trace ---` between the headers and the first frame."""
    h = find_header(lines, first, floor, dotnet_header, passable=fmt.NET_END)
    if h < 0:
        return [], first
    top = h
    while lines.body[top].startswith("---> "):  # walk up to the outermost exception
        above = -1
        for k in range(top - 1, max(floor, top - MAX_UP) - 1, -1):
            if lines.anchors[k] is not None:
                break
            if dotnet_header(lines.body[k], False):
                above = k
                break
        if above < 0:
            break
        top = above
    parts: list[Part] = []
    for k in range(top, h + 1):
        for exception, message in dotnet_header(lines.body[k], k == first - 1) or []:
            if len(parts) < MAX_PARTS:
                parts.append(Part(exception, clip_message(message)))
    return parts, h


def parse_dotnet(lines: TraceLines, i: int, floor: int) -> Found | None:
    parts, h = _dotnet_chain(lines, i, floor)
    parts = parts or [Part("", "")]
    # Frames come innermost exception first; `--- End of inner exception stack trace ---`
    # closes the frames of one exception and opens those of the one around it.
    blocks: list[list[fmt.Frame]] = [[]]
    for k in range(h + 1, i):
        anchor = lines.anchors[k]
        if anchor is not None and anchor.kind == fmt.NET_END and anchor.flag:
            blocks.append([])
    j, size = i, len(lines)
    while j < size:
        anchor, body = lines.anchors[j], lines.body[j]
        if anchor is not None and anchor.kind == fmt.NET_AT and anchor.frame:
            if len(blocks[-1]) < MAX_FRAMES:
                blocks[-1].append(anchor.frame)
        elif anchor is not None and anchor.kind == fmt.NET_END:
            if anchor.flag and len(blocks) <= MAX_PARTS:
                blocks.append([])
        elif body == "Exception data:":  # Npgsql's `Key: value` lines, then more frames
            stop = min(size, j + 40)
            while j + 1 < stop and lines.anchors[j + 1] is None and ": " in lines.body[j + 1]:
                j += 1
        elif body.startswith("---> (Inner Exception"):
            # AggregateException lists its inner exceptions again, up to `<---`.
            stop = min(size, j + 300)
            while j < stop and not lines.body[j].endswith("<---"):
                j += 1
        else:
            break
        j += 1
    for n, block in enumerate(blocks):
        part = parts[max(len(parts) - 1 - n, 0)]
        part.frames.extend(block[: MAX_FRAMES - len(part.frames)])
    frames = sum(len(p.frames) for p in parts)
    if frames == 0 or (not parts[0].exception and frames < 2):
        return None
    return Found(fmt.DOTNET, parts, len(parts) - 1, j)


# --- Go -----------------------------------------------------------------------------------

_GO_HEAD = re.compile(r"(?:^|\s)(?:(panic|fatal error): |http: (panic) serving \S{1,100}: )(.*)$")
_RECOVERED = re.compile(r"\s\[recovered[^\]\n]{0,40}\]$")


def _go_header(body: str) -> Header | None:
    match = _GO_HEAD.search(body)
    if match is None:
        return None
    return match[1] or match[2], _RECOVERED.sub("", match[3])


def _go_top(frames: list[fmt.Frame]) -> fmt.Frame:
    """The function that panicked: the first frame after the last `panic(...)` or runtime
    frame that has application frames below it (deferred recovers come before it)."""
    last_app = max((k for k, f in enumerate(frames) if not fmt.go_is_runtime(f)), default=-1)
    last_panic = max(
        (k for k, f in enumerate(frames[:last_app]) if fmt.go_is_runtime(f)), default=-1
    )
    return frames[last_panic + 1] if last_app >= 0 else frames[0]


def parse_go(lines: TraceLines, i: int, floor: int) -> Found | None:
    """From a `goroutine 1 [running]:` line: the panic above it, the frames below."""
    h = -1
    for k in range(i - 1, max(floor, i - MAX_UP) - 1, -1):
        if lines.anchors[k] is not None:
            break
        if _go_header(lines.body[k]):
            h = k
            break
    if h < 0:
        return None
    # `panic: A [recovered]` then `panic: B`: the first one is the root cause.
    lowest = max(floor, h - 8)
    while h - 1 >= lowest and lines.anchors[h - 1] is None and _go_header(lines.body[h - 1]):
        h -= 1
    kind, message = _go_header(lines.body[h]) or ("", "")
    part = Part(kind, clip_message(message))
    j, size = i + 1, len(lines)
    while j + 1 < size:
        body, nxt = lines.body[j], lines.anchors[j + 1]
        if body.startswith("created by "):  # who started the goroutine: not a caller
            j += 2 if nxt is not None and nxt.kind == fmt.GO_FILE else 1
            break
        func = fmt.go_function(body) if lines.anchors[j] is None else None
        if func and nxt is not None and nxt.kind == fmt.GO_FILE and nxt.where:
            if len(part.frames) < MAX_FRAMES:
                part.frames.append(fmt.go_frame(func, *nxt.where))
            j += 2
        elif body == "...additional frames elided...":
            j += 1
        else:
            break
    if not part.frames:
        return None
    return Found(fmt.GO, [part], 0, j, _go_top(part.frames))
