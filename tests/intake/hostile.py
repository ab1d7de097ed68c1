"""Extractors that misbehave on purpose, run in the sandbox by tests/intake/test_sandbox.py."""

from __future__ import annotations

import ctypes
import time
from pathlib import Path

from services.intake.extract import Extraction, Limits, Refused

VERSION = "test"


def spin(path: Path, limits: Limits) -> Extraction:
    while True:  # a parser stuck in a loop: the CPU limit ends it
        pass


def hog(path: Path, limits: Limits) -> Extraction:
    blocks = []
    while True:  # a decompression bomb: the memory limit ends it
        # bytes(n) asks for zeroed memory it does not touch: the limit on the process's
        # memory ends this at once, where touching 500 MB first could run out of processor
        # time (2 s) on a busy machine and end on that limit instead.
        blocks.append(bytes(50 * 1024 * 1024))


def sleep(path: Path, limits: Limits) -> Extraction:
    time.sleep(3600)  # waits on something forever: the wall time ends it
    raise AssertionError("unreachable")


def crash(path: Path, limits: Limits) -> Extraction:
    ctypes.string_at(0)  # a segfault in a C library
    raise AssertionError("unreachable")


def refuse(path: Path, limits: Limits) -> Extraction:
    raise Refused("The image is 100,000 x 100,000 pixels; the limit is 40 megapixels.")


def broken(path: Path, limits: Limits) -> Extraction:
    raise ValueError("unexpected token at byte 12")


def fine(path: Path, limits: Limits) -> Extraction:
    return Extraction(
        kind="text", fields={"size": path.stat().st_size}, text="ok", thumbnail=b"\x89PNG"
    )
