"""A real `tracker serve` in a subprocess, for end-to-end tests and fuzzing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.workers import free_port


@dataclass
class Server:
    url: str
    data_dir: Path
    env: dict[str, str]
    pid: int = 0

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [tracker(), *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout


def tracker() -> str:
    return str(Path(sys.executable).parent / "tracker")


@contextmanager
def running_server(data_dir: Path, **settings: str) -> Iterator[Server]:
    """Start `tracker serve` on a free port with TRACKER_* `settings`; stop it afterwards."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "NICEGUI_", "TRACKER_", "COV_"))
    }
    env["TRACKER_DATA_DIR"] = str(data_dir)
    env.update(settings)
    port = free_port()
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [tracker(), "serve", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(log_path.read_text())
                time.sleep(0.2)
            yield Server(url=url, data_dir=data_dir, env=env, pid=process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
