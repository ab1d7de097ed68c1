"""wrk, the load generator every HTTP benchmark here uses (Debian package `wrk`).

One wrk thread per connection, so a Lua script's state is one connection's state: a request
can depend on the previous answer (the status change reads back the issue's new version).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d %d\\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status, summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


CYCLE = """
local n = {issues}
local id = nil
request = function()
  if id == nil then id = math.random(n) end
  id = id % n + 1
  return wrk.format("GET", "{prefix}" .. id)
end
"""


def lua_cycle(issues: int, prefix: str) -> str:
    """A script part requesting `prefix` + id, cycling over ids 1..issues from a random one."""
    return CYCLE.format(issues=issues, prefix=prefix)


@contextmanager
def serving(command: list[str], probe: str) -> Iterator[None]:
    """Run a server `command` until `probe` (a URL) answers; stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                httpx.get(probe, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(10)


@dataclass(frozen=True)
class Result:
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int

    def cells(self) -> str:
        return f"{self.rps:.0f} | {self.p50:.1f} | {self.p95:.1f} | {self.p99:.1f} | {self.errors}"


def require_wrk() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")


def lua_request(method: str, headers: dict[str, str], body: str | None = None) -> str:
    """A script sending the same request every time."""
    lines = [f'wrk.method = "{method}"']
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    return "\n".join(lines)


def run(
    url: str, script: str, *, connections: int, seconds: int, work: Path, name: str = "bench"
) -> Result:
    """Run wrk against `url` with `script` (Lua, without the report) and parse its report."""
    path = work / f"{name}.lua"
    path.write_text(script + "\n" + REPORT)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(connections),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    n, duration_us, p50, p95, p99, bad_status, socket_errors = line.split()[1:]
    return Result(
        rps=int(n) / (int(duration_us) / 1e6),
        p50=float(p50),
        p95=float(p95),
        p99=float(p99),
        requests=int(n),
        errors=int(bad_status) + int(socket_errors),
    )
