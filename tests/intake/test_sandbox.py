"""A file that makes its reader loop, hog memory, hang or crash ends as a failure with a
reason; the process that asked is unharmed, and a good file's result comes back whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.intake import sandbox
from services.intake.extract import Limits

ROOT = str(Path(__file__).resolve().parents[2])
# The wall time is only a backstop here: ample for 2 s of processor time on a machine busy
# with parallel test workers (a reader that hangs has its own test below).
CAPS = sandbox.Caps(cpu_seconds=2, memory_mb=512, wall_seconds=60)


@pytest.fixture
def some_file(tmp_path: Path) -> Path:
    path = tmp_path / "upload.bin"
    path.write_bytes(b"hello\n")
    return path


def _run(function: str, path: Path, caps: sandbox.Caps = CAPS) -> sandbox.Outcome:
    return sandbox.run(
        "tests.intake.hostile", function, path, limits=Limits(), caps=caps, sys_path=[ROOT]
    )


def test_a_good_result_comes_back_whole(some_file: Path) -> None:
    outcome = _run("fine", some_file)
    assert outcome.ok and outcome.extraction is not None
    assert outcome.extraction.fields == {"size": 6}
    assert outcome.extraction.thumbnail == b"\x89PNG"


@pytest.mark.parametrize(
    "function, reason",
    [
        ("spin", "more than 2 s of processor time"),
        ("hog", "needed more than 512 MB of memory"),
        ("crash", "The reader crashed on this file"),
        ("refuse", "the limit is 40 megapixels"),
        ("broken", "The file could not be read (ValueError)"),
    ],
)
def test_a_misbehaving_reader_fails_with_a_reason(some_file: Path, function, reason) -> None:
    outcome = _run(function, some_file)
    assert not outcome.ok and reason in outcome.error


def test_a_reader_that_hangs_is_killed_after_the_wall_time(some_file: Path) -> None:
    outcome = _run("sleep", some_file, sandbox.Caps(cpu_seconds=2, wall_seconds=1))
    assert not outcome.ok and "took longer than 1 s" in outcome.error


def test_the_child_loads_no_database_layer(tmp_path: Path) -> None:
    """Only the pure extractors are imported in the child: not SQLAlchemy, not services."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys\n"
        "from services.intake.extract import Extraction\n"
        "def modules(path, limits):\n"
        "    loaded = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'services')))\n"
        "    return Extraction(kind='text', text=','.join(loaded))\n"
    )
    outcome = sandbox.run(
        "probe", "modules", probe, limits=Limits(), caps=CAPS, sys_path=[str(tmp_path)]
    )
    assert outcome.extraction is not None
    loaded = outcome.extraction.text.split(",")
    assert "sqlalchemy" not in loaded and "services.db" not in loaded
    assert "services.intake.extract" in loaded
