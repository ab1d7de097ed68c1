"""`tracker serve --workers N`: N web processes on consecutive ports, and this process
watching over them.

A NiceGUI page lives in the process that rendered it, so the processes cannot share one
port (the kernel would hand a page's websocket to any of them): each listens on its own,
and a proxy in front keeps each browser on one process while it spreads the API over all
of them (deploy/nginx-local.conf). The caller migrates the database and creates the first
admin once, before `run`; the processes only serve, and the first alone runs the embedded
scheduled jobs. A process that dies after it was serving is started again on its port; one
that dies before it was serving (a port taken, a broken setting) stops them all. SIGINT or
SIGTERM stops every process gracefully (each finishes its requests), a second one at once;
the processes have process groups of their own, so a terminal's signals reach this process
only, and on Linux they also go if this one is killed outright.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
STOP_SECONDS = 40.0  # each process finishes its requests within 30 s (web.run)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def command(host: str, port: int, index: int) -> list[str]:
    """One web process: `tracker serve` told it is number `index` of a group."""
    return [
        sys.executable,
        "-m",
        "tracker_app.cli",
        "serve",
        "--host",
        host,
        "--port",
        str(port),
        "--worker-index",
        str(index),
    ]


@dataclass
class WebProcess:
    index: int
    port: int
    process: subprocess.Popen[bytes] | None = None
    serving: bool = False  # its port has accepted a connection since it started


class Supervisor:
    def __init__(self, host: str, port: int, count: int) -> None:
        self.host = host
        self.web = [WebProcess(n, port + n) for n in range(count)]
        self.signals = 0

    def run(self) -> int:
        """Start the processes and watch them until a signal (0) or a failure (1)."""
        handlers = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            for web in self.web:
                self._start(web)
            return self._watch()
        finally:
            self._stop()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def _watch(self) -> int:
        while not self.signals:
            time.sleep(POLL_SECONDS)
            for web in self.web:
                if self.signals:
                    break
                assert web.process is not None
                code = web.process.poll()
                if code is None:
                    if not web.serving and accepts(self.host, web.port):
                        web.serving = True
                        log.info("web process %d (port %d) is serving", web.index, web.port)
                    continue
                if not web.serving:
                    log.error(
                        "web process %d (port %d) exited with status %s before it served; "
                        "stopping the others",
                        web.index,
                        web.port,
                        code,
                    )
                    return 1
                if not port_free(self.host, web.port):
                    log.error("port %d was taken meanwhile; stopping", web.port)
                    return 1
                log.warning(
                    "web process %d (port %d) exited with status %s; starting it again",
                    web.index,
                    web.port,
                    code,
                )
                self._start(web)
        return 0

    def _start(self, web: WebProcess) -> None:
        web.serving = False
        web.process = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            command(self.host, web.port, web.index),
            process_group=0,  # a terminal's Ctrl-C or hang-up reaches this process only
            preexec_fn=_die_with(os.getpid()),
        )

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        """The first signal ends the watch (`_stop` then asks each process to stop); a
        second one kills them at once."""
        self.signals += 1
        if self.signals > 1:
            self._send(signal.SIGKILL)

    def _send(self, sig: signal.Signals) -> None:
        for web in self.web:
            if web.process is not None and web.process.poll() is None:
                web.process.send_signal(sig)

    def _stop(self) -> None:
        self._send(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for web in self.web:
            if web.process is None:
                continue
            try:
                web.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("web process %d did not stop in time; killing it", web.index)
                web.process.kill()
                web.process.wait()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _die_with(parent: int) -> Callable[[], None] | None:
    """On Linux, a child started with this gets SIGTERM when `parent` dies, however."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here, not between fork and exec

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # it died before the line above
            os._exit(1)

    return preexec


def _probe_host(host: str) -> str:
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104


def accepts(host: str, port: int) -> bool:
    """Whether something listens on `port` (on `host`, or on loopback for a wildcard)."""
    try:
        with socket.create_connection((_probe_host(host), port), timeout=0.5):
            return True
    except OSError:
        return False


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on (`host`, `port`) now (as uvicorn binds it)."""
    family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0][0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def taken(host: str, port: int, count: int) -> list[int]:
    """Those of the `count` ports from `port` that are in use."""
    return [p for p in range(port, port + count) if not port_free(host, p)]


def run(host: str, port: int, count: int) -> int:
    """Serve with `count` processes on the ports from `port` (check `taken` first) until a
    signal (0) or a failure (1)."""
    return Supervisor(host, port, count).run()
