"""A real `tracker serve` in a subprocess, for end-to-end tests and fuzzing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

import services
from pages import cookies
from services import events
from tests.workers import free_ports
from tracker_app.settings import Settings


@dataclass
class Server:
    url: str  # the first process's, with `workers`
    data_dir: Path
    env: dict[str, str]
    pid: int = 0  # `tracker serve`; with `workers`, the one watching over the processes
    urls: list[str] = field(default_factory=list)  # each process's
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def add_user(self, email: str, password: str, role: str = "REPORTER") -> None:
        """What `tracker create-user` does, without starting a Python for it (~1.9 s each):
        through the services, on the server's own database."""
        with self.connected(), services.session() as s:
            services.users.provision(
                s, {"email": email, "password": password, "full_name": "", "role": role}
            )

    def session_cookie(self, email: str, password: str) -> dict[str, str]:
        """A signed-in browser's session cookie (for Playwright's `add_cookies`), made by the
        services' own sign-in: for tests about what a signed-in user sees, not about the
        login page (tests/e2e/test_sign_out_and_lockout.py is about that)."""
        with self.connected(), services.session() as s:
            token, _ = services.auth.login(s, email, password)
        return {"name": cookies.SESSION, "value": token, "url": self.url}

    @contextmanager
    def connected(self) -> Iterator[None]:
        """The services of this process pointed at the server's database while it lasts."""
        settings = Settings.from_env(self.env)
        services.connect(settings.database_url, upload_dir=settings.upload_dir)
        try:
            yield
        finally:
            services.runtime().engine.dispose()
            events.configure_bus(None)

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


def alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


@contextmanager
def running_server(data_dir: Path, *, workers: int = 1, **settings: str) -> Iterator[Server]:
    """Start `tracker serve` (`--workers` processes) on free ports with TRACKER_* `settings`,
    wait until each answers; stop it afterwards."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "NICEGUI_", "TRACKER_", "COV_"))
    }
    env["TRACKER_DATA_DIR"] = str(data_dir)
    env.update(settings)
    ports = free_ports(workers)
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [tracker(), "serve", "--port", str(ports[0]), "--workers", str(workers)],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        try:
            deadline = time.monotonic() + 60
            for url in urls:
                while not _healthy(url):
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(log_path.read_text())
                    time.sleep(0.2)
            yield Server(urls[0], data_dir, env, process.pid, urls, log_path, process)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
