"""The lines of stack traces, per language: frames, exception headers, library frames.

Pure string work on one line at a time. Frames are parsed with str methods (rfind,
rpartition) and patterns with bounded repetition only, so a hostile line costs time in
proportion to its length. The tables of library prefixes decide which frames are left out
of a fingerprint; an unknown library only costs grouping across its own versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PYTHON, JAVA, JAVASCRIPT, GO, DOTNET = "python", "java", "javascript", "go", "dotnet"
# Anchor kinds: the marks only stack traces make.
PY_HEADER, PY_FILE, JVM_AT, JS_AT, NET_AT, FF_FRAME = "py", "pyfile", "jvm", "js", "net", "ff"
GO_ROUTINE, GO_FILE, NET_END = "goroutine", "gofile", "netend"


@dataclass(frozen=True)
class Frame:
    text: str  # the short form shown to people (see the corpus README)
    key: str  # what identifies it in a fingerprint: function and file, no line numbers
    library: bool  # a runtime, framework or third-party frame


@dataclass(frozen=True)
class Anchor:
    kind: str
    start: int  # where the trace's own text begins in the line (before: a log prefix)
    frame: Frame | None = None
    flag: bool = False  # PY_HEADER: an exception group; NET_END: an inner exception ends
    where: tuple[str, int] | None = None  # GO_FILE: file and line


def short_path(path: str) -> str:
    """The last three components of a path or URL (no scheme, host, query)."""
    p = path.replace("\\", "/")
    if "://" in p:
        p = p.split("://", 1)[1]
        if not p.startswith("/"):
            p = p.partition("/")[2]  # the host
    p = p.split("?", 1)[0].split("#", 1)[0]
    parts = [part for part in p.split("/") if part and part != "."]
    return "/".join(parts[-3:]) if parts else path


# A bundler's content hash before the extension: main.7f3c2a91.js, list-BQk3f1Zx.js.
_HASHED = re.compile(r"[.-](?=[\w]{0,31}\d)\w{6,32}(?=\.\w{1,6}$)")


def _base(path: str) -> str:
    name = path.replace("\\", "/").split("?", 1)[0].rsplit("/", 1)[-1]
    return _HASHED.sub("", name)


# --- Python -------------------------------------------------------------------------------

_PY_FILE = re.compile(r'File "([^"\n]{1,1000})", line (\d{1,9})(?:, in (\S{1,300}))?\s*$')
_PY_LIBRARY = re.compile(
    r"site-packages|dist-packages|<frozen |/lib(?:64)?/python\d|/python\d[\d.]*/lib/",
    re.IGNORECASE,
)


def python_frame(path: str, line: str, func: str | None) -> Frame:
    where = f"{short_path(path)}:{line}"
    norm = path.replace("\\", "/")
    return Frame(
        text=f"{func} ({where})" if func else where,
        key=f"{func or ''}@{_base(path)}",
        library=bool(_PY_LIBRARY.search(norm)),
    )


# --- JVM ----------------------------------------------------------------------------------

_JVM_LIBRARY = (
    "java.", "javax.", "jakarta.", "sun.", "com.sun.", "jdk.", "kotlin.", "kotlinx.",
    "scala.", "groovy.", "org.codehaus.groovy.", "clojure.", "org.springframework.",
    "org.apache.", "org.hibernate.", "org.eclipse.", "org.glassfish.", "org.jboss.",
    "io.netty.", "io.undertow.", "reactor.", "io.reactivex.", "rx.", "com.fasterxml.",
    "com.google.", "org.junit.", "junit.", "org.testng.", "org.mockito.", "org.gradle.",
    "org.postgresql.", "com.mysql.", "org.mariadb.", "oracle.", "com.zaxxer.", "org.slf4j.",
    "ch.qos.", "org.quartz.", "okhttp3.", "okio.", "retrofit2.", "io.grpc.", "io.ktor.",
    "akka.", "io.micrometer.", "io.opentelemetry.", "feign.", "net.bytebuddy.",
    "org.aspectj.", "android.", "androidx.", "dalvik.", "com.android.", "io.vertx.",
    "io.quarkus.", "io.micronaut.", "io.dropwizard.", "org.jetbrains.", "org.h2.",
    "org.flywaydb.", "liquibase.", "software.amazon.", "com.amazonaws.", "com.azure.",
    "io.lettuce.", "redis.clients.", "com.mongodb.", "org.elasticsearch.", "graphql.",
    "com.netflix.", "io.github.resilience4j.", "org.thymeleaf.", "org.yaml.",
    "io.jsonwebtoken.", "org.bouncycastle.", "org.keycloak.", "brave.", "zipkin2.",
)  # fmt: skip
_JVM_LOCATION = re.compile(
    r"(?:[\w$.\-]{1,200}|Native Method|Unknown Source)(?::\d{1,9})?|<generated>"
)
_JVM_GENERATED = re.compile(
    r"\$\$(?:Lambda|SpringCGLIB|EnhancerBySpringCGLIB|FastClassBySpringCGLIB)[\w$]*(?:/0x[0-9a-f]+)?"
    r"|GeneratedMethodAccessor\d+|(?<=lambda\$)(\w+)\$\d+"
)


def _jvm_key(name: str) -> str:
    # Numbers the compiler or a proxy library hands out change from build to build.
    return _JVM_GENERATED.sub(lambda m: m.group(1) or "$$", name)


def jvm_frame(rest: str) -> Frame | None:
    """`com.acme.Foo.bar(Foo.java:12)` (after `at `), with a module prefix or `~[jar]`."""
    if rest.endswith("]"):
        cut = max(rest.rfind(" ["), rest.rfind(" ~["))
        if cut > 0:
            rest = rest[:cut].rstrip()
    if not rest.endswith(")"):
        return None
    paren = rest.find("(")
    name, location = rest[:paren], rest[paren + 1 : -1]
    if paren <= 0 or " " in name or "." not in name or "(" in location:
        return None
    if not _JVM_LOCATION.fullmatch(location) or not (
        "." in location or ":" in location or location[0] in "<NU"
    ):
        return None
    slash = name.find("/")
    if slash >= 0 and "$" not in name[:slash]:  # java.base/, app//, com.foo@1.2/
        name = name[slash:].lstrip("/")
    generated = "$$" in name or location == "<generated>" or name.startswith("jdk.proxy")
    return Frame(
        text=f"{name}({location})",
        key=_jvm_key(name),
        library=generated or name.startswith(_JVM_LIBRARY),
    )


# --- JavaScript ---------------------------------------------------------------------------

_JS_LIBRARY_FILES = ("react-dom.", "react.", "vendor", "chunk-vendors", "polyfills", "zone.")
_JS_NO_LOCATION = ("native", "<anonymous>", "[native code]")
_JS_ANONYMOUS = ("global code", "eval code", "module code", "<anonymous>", "Object.<anonymous>")


def _js_library(file: str) -> bool:
    f = file.replace("\\", "/").lower()
    return (
        "node_modules/" in f
        or f.startswith(("node:", "internal/", "index ", "webpack/"))
        or f in _JS_NO_LOCATION
        or _base(f).startswith(_JS_LIBRARY_FILES)
    )


def _js_name_key(func: str) -> str:
    # Firefox: `handleEvent*fn` (an async cause label), `outer/<` (an anonymous function
    # inside outer); Safari: `global code`; V8: `<anonymous>`: all anonymous functions.
    func = func.rpartition("*")[2]
    if func.endswith("<") or func in _JS_ANONYMOUS:
        return ""
    return func


def js_location_frame(func: str, location: str) -> Frame | None:
    """A JavaScript frame from a function name and `file:line:col` (or `native`...)."""
    func = func.removeprefix("async ").rpartition("*")[2]
    if location in _JS_NO_LOCATION or location.startswith("index "):
        if not func:
            return None
        return Frame(f"{func} ({location})", f"{_js_name_key(func)}@{location}", True)
    file, _, rest = location.rpartition(":")
    file, _, line = file.rpartition(":")
    if not (file and line.isdigit() and rest.isdigit()):
        return None
    # A file must look like one: prose such as "at noon (room 4:12:30)" must not pass.
    if not any(c in file for c in "/\\.:<") and not file.startswith("VM"):
        return None
    where = f"{short_path(file)}:{line}:{rest}"
    return Frame(
        text=f"{func} ({where})" if func else where,
        key=f"{_js_name_key(func)}@{_base(file)}",
        library=_js_library(file),
    )


def v8_frame(rest: str) -> tuple[Frame, bool] | None:
    """`fn (file:1:2)` or `file:1:2` (after `at `); True when it opens Node's `{ ... }`."""
    opens = rest.endswith(" {")
    if opens:
        rest = rest[:-2].rstrip()
    rest = rest.removeprefix("async ")
    if rest.endswith(")"):
        cut = rest.rfind(" (")
        if cut <= 0:
            return None
        frame = js_location_frame(rest[:cut], rest[cut + 2 : -1])
    elif " " in rest:
        return None
    else:
        frame = js_location_frame("", rest)
    return (frame, opens) if frame else None


def firefox_frame(line: str) -> tuple[int, Frame] | None:
    """`fn@url:1:2` (Firefox, Safari), as the last word of a line: (start, frame)."""
    at = line.rfind("@")
    if at < 0:
        return None
    location = line[at + 1 :].rstrip()
    if location != "[native code]" and (" " in location or "/" not in location):
        return None
    head = line[:at]
    start = max(head.rfind(" "), head.rfind("\t")) + 1
    for two_words in ("global code", "eval code", "module code"):
        if head.endswith(two_words):
            start = len(head) - len(two_words)
    frame = js_location_frame(head[start:], location)
    return (start, frame) if frame else None


# --- .NET ---------------------------------------------------------------------------------

_NET_LIBRARY = (
    "System.", "Microsoft.", "Newtonsoft.", "Npgsql.", "Dapper.", "Polly.", "Serilog.",
    "NLog.", "log4net.", "Xunit.", "NUnit.", "Castle.", "Autofac.", "MediatR.", "Grpc.",
    "Google.", "StackExchange.", "AutoMapper.", "FluentValidation.", "Hangfire.",
    "MongoDB.", "Swashbuckle.", "Pomelo.", "Refit.", "RestSharp.", "Moq.", "Quartz.",
    "RabbitMQ.", "MassTransit.", "NServiceBus.", "Azure.", "Amazon.", "Confluent.",
    "Elasticsearch.", "Mono.", "UnityEngine.", "lambda_method",
)  # fmt: skip
_NET_GENERATED = re.compile(r"(?<=__)\d+(?:_\d+)?|(?<=\|)\d+_\d+|(?<=lambda_method)\d+")


def dotnet_frame(rest: str) -> Frame | None:
    """`Ns.Class.Method(Type arg) in C:\\src\\File.cs:line 42` (after `at `)."""
    where = ""
    cut = rest.rfind(" in ")
    if cut > 0:
        file, sep, line = rest[cut + 4 :].rpartition(":line ")
        if sep and line.isdigit():
            where, rest = f"{short_path(file)}:{line}", rest[:cut]
    paren = rest.find("(")
    if paren <= 0 or not rest.endswith(")"):
        return None
    method = rest[:paren]
    if " " in method:
        return None
    return Frame(
        text=f"{method} ({where})" if where else method,
        key=_NET_GENERATED.sub("", method),
        library=method.startswith(_NET_LIBRARY),
    )


# --- Go -----------------------------------------------------------------------------------

_GO_STDLIB = frozenset({
    "archive", "bufio", "bytes", "cmp", "compress", "container", "context", "crypto",
    "database", "debug", "embed", "encoding", "errors", "expvar", "flag", "fmt", "go", "hash",
    "html", "image", "index", "internal", "io", "iter", "log", "maps", "math", "mime", "net",
    "os", "path", "plugin", "reflect", "regexp", "runtime", "slices", "sort", "strconv",
    "strings", "sync", "syscall", "testing", "text", "time", "unicode", "unique", "unsafe",
    "weak",
})  # fmt: skip
_GOROUTINE = re.compile(r"goroutine \d{1,12}(?: [^\[\n]{0,120})? ?\[[^\]\n]{1,200}\]:\s*$")


def go_file(line: str) -> tuple[int, str, int] | None:
    """`\\t/app/server.go:42 +0x1d` (GOTRACEBACK=system adds `fp=.. sp=.. pc=..`):
    (start, file, line)."""
    words = line.rsplit(None, 5)
    while len(words) > 1 and (words[-1].startswith("+0x") or "=" in words[-1]):
        words.pop()
    if not words:
        return None
    path = words[-1]
    file, _, number = path.rpartition(":")
    if not (number.isdigit() and file.endswith((".go", ".s"))):
        return None
    return line.rfind(path), file, int(number)


_DEPTH = {")": 1, "(": -1}


def go_function(body: str) -> str | None:
    """`main.(*Server).handle(0xc000010000, {0x1, 0x2})` -> `main.(*Server).handle`."""
    if not body.endswith(")") or " " in body.split("(", 1)[0]:
        return None
    depth = 0
    for i in range(len(body) - 1, -1, -1):  # the argument list's opening parenthesis
        depth += _DEPTH.get(body[i], 0)
        if depth == 0:
            func = body[:i]
            return func if func and " " not in func and ("." in func or func == "panic") else None
    return None


def go_frame(func: str, file: str, line: int) -> Frame:
    dot = func.find(".", func.rfind("/") + 1)
    package = func[:dot] if dot >= 0 else func
    norm = file.replace("\\", "/")
    library = (
        func == "panic"
        or package.split("/", 1)[0] in _GO_STDLIB
        or "/pkg/mod/" in norm
        or "/vendor/" in norm
    )
    return Frame(f"{func} ({short_path(file)}:{line})", func, library)


def go_is_runtime(frame: Frame) -> bool:
    return frame.key == "panic" or frame.key.startswith("runtime.")


# --- anchors ------------------------------------------------------------------------------

_AT = re.compile(r"(?<![^\s|>])at[ \t]+(?=\S)")


def _at_anchor(line: str) -> Anchor | None:
    for count, match in enumerate(_AT.finditer(line)):
        if count == 3:
            break
        rest = line[match.end() :].rstrip()
        frame = jvm_frame(rest)
        if frame:
            return Anchor(JVM_AT, match.start(), frame)
        v8 = v8_frame(rest)
        if v8:
            return Anchor(JS_AT, match.start(), v8[0], flag=v8[1])
        frame = dotnet_frame(rest)
        if frame:
            return Anchor(NET_AT, match.start(), frame)
    return None


def find_anchor(line: str) -> Anchor | None:
    """The trace mark in a line, if it has one."""
    pos = line.find("Traceback (most recent call last):")
    if pos >= 0:
        group = line[:pos].endswith("Exception Group ")
        return Anchor(PY_HEADER, pos - 16 if group else pos, flag=group)
    pos = line.find('File "')
    if pos >= 0:
        match = _PY_FILE.match(line, pos)
        if match:
            path, number, func = match.groups()
            return Anchor(PY_FILE, pos, python_frame(path, number, func))
    if "at" in line:
        anchor = _at_anchor(line)
        if anchor:
            return anchor
    pos = line.find("goroutine ")
    if pos >= 0 and _GOROUTINE.match(line, pos):
        return Anchor(GO_ROUTINE, pos)
    if ".go:" in line or ".s:" in line:
        found = go_file(line)
        if found:
            return Anchor(GO_FILE, found[0], where=found[1:])
    if "@" in line:
        ff = firefox_frame(line)
        if ff:
            return Anchor(FF_FRAME, ff[0], ff[1])
    pos = line.find("--- End of ")
    if pos >= 0 and ("inner exception stack trace" in line or "stack trace from" in line):
        return Anchor(NET_END, pos, flag="inner exception" in line)
    return None
