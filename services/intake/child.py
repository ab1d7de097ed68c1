"""The sandboxed child process that reads one untrusted file (run by services.intake.sandbox
as `python -I child.py REQUEST`, never imported by the app).

It limits itself first (CPU seconds, address space, file size), then imports only the pure
extractors, not `services` as a whole (no database, no settings, nothing to reach), runs one
extractor and writes `result.json` (plus `thumbnail.bin` / `cleaned.bin`) next to the request.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import types
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the directory that holds the services package


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text())
    _limit(request["cpu_seconds"], request["memory_mb"], request["file_mb"])
    _load_extractors_only()
    sys.path[:0] = request.get("sys_path", [])  # tests bring misbehaving extractors
    extract = importlib.import_module("services.intake.extract")
    module = importlib.import_module(request["module"])
    limits = extract.Limits(**request["limits"])
    out = Path(request["out"])
    try:
        result = getattr(module, request["function"])(
            Path(request["path"]), limits, **request["options"]
        )
    except extract.Refused as e:
        (out / "result.json").write_text(json.dumps({"refused": str(e), "peak_kb": _peak_kb()}))
        return 0
    data = asdict(result)
    for name in ("thumbnail", "cleaned"):
        blob = data.pop(name)
        if blob is not None:
            (out / f"{name}.bin").write_bytes(blob)
    result_data = {"extraction": data, "peak_kb": _peak_kb()}
    (out / "result.json").write_text(json.dumps(result_data, default=str))
    return 0


def _peak_kb() -> int:
    """The most memory this process, or a program it ran (Tesseract), held at once."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _limit(cpu_seconds: int, memory_mb: int, file_mb: int) -> None:
    os.nice(19)  # reading files yields to everything else (the web process serving people)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = file_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _load_extractors_only() -> None:
    """Stand-in parent packages, so importing `services.intake.extract` does not run
    `services/__init__.py` (which would load the database layer)."""
    for name, path in (
        ("services", ROOT / "services"),
        ("services.intake", ROOT / "services" / "intake"),
    ):
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
