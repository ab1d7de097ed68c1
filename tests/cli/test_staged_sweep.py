"""`tracker serve` sweeps staged uploads left behind by a crash when it starts: hours-old
files in the upload directory's staging folder go, young ones (an upload in progress,
a form being filled in another process) stay."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.serverproc import running_server


def test_serve_sweeps_old_staged_files_at_start(tmp_path: Path) -> None:
    incoming = tmp_path / "uploads" / ".incoming" / "7"
    incoming.mkdir(parents=True)
    old, young = incoming / "left-by-a-crash", incoming / "being-uploaded"
    old.write_bytes(b"x" * 1000)
    young.write_bytes(b"y" * 1000)
    hours_ago = time.time() - 7 * 3600
    os.utime(old, (hours_ago, hours_ago))
    with running_server(tmp_path, TRACKER_UPLOAD_DIR=str(tmp_path / "uploads")):
        deadline = time.monotonic() + 30  # the sweep runs in the background at start-up
        while old.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not old.exists()
        assert young.exists()
