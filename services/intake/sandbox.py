"""Run one extractor on one untrusted file in a child process with limits.

The child (services/intake/child.py) caps its own CPU time, address space and file size
before it reads a byte; this side caps the wall time and what it reads back. A hostile PDF,
a decompression bomb or a zip bomb ends as a failed analysis with a reason a person can
read; neither the web process nor the worker goes down, whatever the child does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .extract import Extraction, Limits

CHILD = Path(__file__).with_name("child.py")
MAX_RESULT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Caps:
    """What one child may use. Settings: TRACKER_INTAKE_CPU_SECONDS, _MEMORY_MB, _WALL_SECONDS."""

    cpu_seconds: int = 30
    memory_mb: int = 1024
    wall_seconds: int = 60
    file_mb: int = 64  # the largest file the child may write (a thumbnail, a cleaned photo)


@dataclass(frozen=True)
class Outcome:
    extraction: Extraction | None
    error: str = ""  # why it failed, in words for the issue page
    peak_kb: int = 0  # the child's largest memory use (for the benchmark)

    @property
    def ok(self) -> bool:
        return self.extraction is not None


def run(
    module: str,
    function: str,
    path: Path,
    *,
    limits: Limits,
    caps: Caps,
    options: dict[str, Any] | None = None,
    sys_path: list[str] | None = None,
) -> Outcome:
    """`<module>.<function>(path, limits, **options)` in a limited child process; `module`
    is a module of services.intake.extract (tests add `sys_path` for their own)."""
    work = Path(tempfile.mkdtemp(prefix="tracker-intake-"))
    try:
        request = {
            "module": module,
            "function": function,
            "path": str(path),
            "limits": asdict(limits),
            "options": options or {},
            "sys_path": sys_path or [],
            "out": str(work),
            "cpu_seconds": caps.cpu_seconds,
            "memory_mb": caps.memory_mb,
            "file_mb": caps.file_mb,
        }
        (work / "request.json").write_text(json.dumps(request))
        return _collect(_start(work, caps), work, caps)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _start(work: Path, caps: Caps) -> subprocess.CompletedProcess[bytes] | None:
    """The child's exit (None after the wall time, when it and all it started are killed)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "OMP_THREAD_LIMIT": "1",  # Tesseract: one thread, so the CPU limit means something
        "HOME": str(work),
    }
    args = [sys.executable, "-I", str(CHILD), str(work / "request.json")]
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script, no shell)
        args,
        cwd=work,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: a timeout kills OCR helpers too
    )
    try:
        _, err = child.communicate(timeout=caps.wall_seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return None
    return subprocess.CompletedProcess(args, child.returncode, b"", err)


def _collect(done: subprocess.CompletedProcess[bytes] | None, work: Path, caps: Caps) -> Outcome:
    if done is None:
        return Outcome(None, f"Reading the file took longer than {caps.wall_seconds} s.")
    result = work / "result.json"
    if done.returncode == 0 and result.is_file() and result.stat().st_size <= MAX_RESULT_BYTES:
        data = json.loads(result.read_text())
        peak = int(data.get("peak_kb") or 0)
        if "refused" in data:
            return Outcome(None, str(data["refused"]), peak)
        fields = data["extraction"]
        for name in ("thumbnail", "cleaned"):
            blob = work / f"{name}.bin"
            fields[name] = blob.read_bytes() if blob.is_file() else None
        return Outcome(Extraction(**fields), peak_kb=peak)
    return Outcome(None, _why(done, caps))


def _why(done: subprocess.CompletedProcess[bytes], caps: Caps) -> str:
    err = (done.stderr or b"")[-4000:].decode("utf-8", "replace")
    if done.returncode == -signal.SIGXCPU or done.returncode == -signal.SIGKILL:
        return f"Reading the file used more than {caps.cpu_seconds} s of processor time."
    if "MemoryError" in err or "bad_alloc" in err or "Cannot allocate memory" in err:
        return f"Reading the file needed more than {caps.memory_mb} MB of memory."
    if done.returncode < 0:
        return "The reader crashed on this file; it may be damaged or hostile."
    last = err.strip().splitlines()[-1] if err.strip() else "no reason given"
    kind = last.split(":", 1)[0][:80]
    return f"The file could not be read ({kind})."
