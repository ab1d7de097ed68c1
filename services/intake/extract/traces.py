"""Stack traces in text (a log file, a description, a comment, JSON log lines): every trace
found, described, and fingerprinted so that the same crash groups across reports.

    find_traces(text, *, limit=20) -> list[Trace]
    Trace.as_finding() -> {"type": "stack_trace", "language", "exception", "message",
                           "top_frame", "frames", "fingerprint"}
    normalise_message(message) -> str

Languages: python; java (every JVM language: Java, Kotlin, Scala, Android); javascript
(Node.js and Chrome's `at` lines, Firefox's and Safari's `fn@url:line:col`); go (panics
and fatal errors); dotnet. Log prefixes on every line, Markdown quotes, Docker and
Kubernetes formats and JSON log lines with escaped newlines are read through (see
trace_lines).

What a Trace describes, for chained exceptions, is the *root cause*: Python's first
traceback printed (for an exception group, its first leaf), the JVM's last `Caused by:`,
.NET's innermost `--->`, Node's last `[cause]:`, Go's first panic of a `[recovered]` series.
`exception` and `message` (the first non-empty line) are the root cause's, `top_frame` is
where it was raised (innermost Python frame, first `at` line, the Go function that
panicked) and `frames` are its frames (at most 50). Frame strings are short and uniform;
the corpus README under tests/intake/corpus/traces spells them out.

The fingerprint covers the whole chain: the first 16 hex digits of a SHA-256 over the
language, every exception type of the chain, and the application frames of every part
(function and file name, no line numbers; runtime, framework and library frames left out,
all frames when none is left; repeats of a frame in a row counted once). Messages are left
out, since they carry ids, numbers, paths and quoted values, except for Go, whose panics
have no type: there the message, normalised by `normalise_message`, takes its place.

Not read (yet): pytest's own report (`E   ValueError`), IPython and Jupyter tracebacks,
Unity's `Method () (at Assets/x.cs:12)` frames, .NET frames in other languages (`bei`, `в`),
the `[errors]` of a Node AggregateError; other languages (Ruby, PHP, Rust...).

Safe on hostile text: the work is linear in the text (bounded patterns, line-by-line
scans, capped look-back), the text read is capped (trace_lines.MAX_CHARS, MAX_LINES) and so
are traces, parts and frames. Callers cut texts to Limits.max_text_chars beforehand.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from services.intake.extract import trace_formats as fmt
from services.intake.extract.trace_dotnet_go import parse_dotnet, parse_go
from services.intake.extract.trace_grammar import Found, parse_firefox, parse_jvm, parse_v8
from services.intake.extract.trace_lines import TraceLines
from services.intake.extract.trace_python import parse_python

VERSION = "1"

_PARSERS = {
    fmt.PY_HEADER: parse_python,
    fmt.PY_FILE: parse_python,
    fmt.JVM_AT: parse_jvm,
    fmt.JS_AT: parse_v8,
    fmt.FF_FRAME: parse_firefox,
    fmt.NET_AT: parse_dotnet,
    fmt.GO_ROUTINE: parse_go,
}


@dataclass(frozen=True)
class Trace:
    language: str  # python | java | javascript | go | dotnet
    exception: str  # the root cause's type as printed; Go: "panic" or "fatal error"
    message: str  # the first non-empty line of its message
    top_frame: str  # where it was raised
    frames: tuple[str, ...]  # its frames, as printed (outermost first for Python)
    fingerprint: str  # 16 hex digits, equal for the same crash

    def as_finding(self) -> dict[str, Any]:
        return {
            "type": "stack_trace",
            "language": self.language,
            "exception": self.exception,
            "message": self.message,
            "top_frame": self.top_frame,
            "frames": list(self.frames),
            "fingerprint": self.fingerprint,
        }


def find_traces(text: str, *, limit: int = 20) -> list[Trace]:
    """Every stack trace in `text`, in order, at most `limit`."""
    if limit <= 0 or not text:
        return []
    lines = TraceLines(text)
    traces: list[Trace] = []
    i = floor = 0
    while i < len(lines) and len(traces) < limit:
        anchor = lines.anchors[i]
        parse = _PARSERS.get(anchor.kind) if anchor is not None else None
        found = parse(lines, i, floor) if parse is not None else None
        if found is None:
            i += 1
            continue
        traces.append(_trace(found))
        floor = i = max(found.end, i + 1)
    return traces


def _trace(found: Found) -> Trace:
    parts, root = found.parts, found.parts[found.root]
    # A root cause printed without frames is described by the nearest exception with some.
    nearest = sorted(range(len(parts)), key=lambda k: abs(k - found.root))
    source = next((parts[k] for k in nearest if parts[k].frames), root)
    if found.top is not None:
        top = found.top.text
    elif source.frames:
        top = source.frames[-1 if found.language == fmt.PYTHON else 0].text
    else:
        top = ""
    return Trace(
        language=found.language,
        exception=root.exception,
        message=root.message,
        top_frame=top,
        frames=tuple(frame.text for frame in source.frames),
        fingerprint=_fingerprint(found),
    )


def _fingerprint(found: Found) -> str:
    frames = [frame for part in found.parts for frame in part.frames]
    chosen = [frame for frame in frames if not frame.library] or frames
    keys: list[str] = []
    for frame in chosen:
        if not keys or keys[-1] != frame.key:  # recursion depth must not matter
            keys.append(frame.key)
    go = found.language == fmt.GO
    extra = normalise_message(found.parts[found.root].message) if go else ""
    exceptions = [part.exception for part in found.parts]
    data = "\n".join([found.language, *exceptions, extra, "", *keys])
    return hashlib.sha256(data.encode("utf-8", "replace")).hexdigest()[:16]


_NORMALISE = [
    (re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\b[a-zA-Z][\w+.-]{1,20}://[^\s'\"<>]{1,500}"), "<url>"),
    (re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b"), "<email>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?"
                r"(?:Z|[+-]\d{2}:?\d{2})?)?"), "<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"), "<time>"),
    (re.compile(r"(?:\b[A-Za-z]:)?(?:[\\/][\w.@~+-]{1,200}){2,64}[\\/]?"), "<path>"),
    (re.compile(r"\b0x[0-9a-fA-F]{1,32}\b"), "<hex>"),
    # Hex ids: 6 to 64 hex digits with both a digit and a letter (not "decade", not "2026").
    (re.compile(r"\b(?=[0-9a-f]{6,64}\b)[0-9a-f]{0,63}(?:\d[a-f]|[a-f]\d)[0-9a-f]{0,63}\b"),
     "<hex>"),
    (re.compile(r"(?<!\w)'[^'\n]{0,200}'(?!\w)"), "'<v>'"),
    (re.compile(r'"[^"\n]{0,200}"'), '"<v>"'),
    (re.compile(r"\d+"), "<n>"),
]  # fmt: skip


def normalise_message(message: str) -> str:
    """A message without what changes between occurrences of the same error: uuids, urls,
    emails, timestamps, paths, hex numbers and addresses, quoted values, numbers."""
    text = message[:1000]
    for pattern, replacement in _NORMALISE:
        text = pattern.sub(replacement, text)
    return text
