"""A shipped nginx site (deploy/nginx.conf or deploy/nginx-local.conf) run unprivileged on
this machine, for the benchmarks and the deployment tests: its upstreams pointed at the
given web processes, its port at a free one, inside a minimal main configuration whose
files all live in a work directory. Needs nginx (Debian package `nginx`)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import loadgen

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
COMPOSE_SITE = DEPLOY / "nginx.conf"
LOCAL_SITE = DEPLOY / "nginx-local.conf"
# The `server host:port;` lines of an upstream block, one after the other.
UPSTREAM_SERVERS = re.compile(r"(?:^[ \t]*server [^\s;{]+;[^\n]*\n)+", re.M)


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise RuntimeError("nginx is needed: install Debian's nginx")
    return found


def site(upstreams: list[str], port: int, source: Path = COMPOSE_SITE) -> str:
    """`source` with every upstream listing `upstreams` and listening on 127.0.0.1:`port`."""
    servers = "".join(f"    server {u};\n" for u in upstreams)
    text, count = UPSTREAM_SERVERS.subn(lambda _: servers, source.read_text())
    if not count:
        raise ValueError(f"{source.name} has no upstream servers to replace")
    text, count = re.subn(r"^(\s*)listen \d+;", rf"\g<1>listen 127.0.0.1:{port};", text, flags=re.M)
    if count != 1:
        raise ValueError(f"{source.name} should listen on one port")
    return text


def nginx_conf(
    work: Path,
    port: int,
    upstreams: list[str],
    *,
    source: Path = COMPOSE_SITE,
    http_extra: str = "",
) -> Path:
    """The site from `source` (see `site`) in a minimal main config under `work`;
    `http_extra` goes into its http block (e.g. real_ip settings)."""
    temp = work / "nginx"
    temp.mkdir(exist_ok=True)
    paths = " ".join(
        f"{kind}_temp_path {temp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = work / "nginx.conf"
    conf.write_text(
        f"worker_processes auto;\npid {temp / 'nginx.pid'};\nerror_log {temp / 'error.log'};\n"
        "events { worker_connections 8192; }\n"
        f"http {{\n access_log off;\n {paths}\n{http_extra}\n"
        f"{site(upstreams, port, source)}\n}}\n"
    )
    return conf


@contextmanager
def nginx(
    work: Path,
    port: int,
    upstreams: list[str],
    *,
    source: Path = COMPOSE_SITE,
    http_extra: str = "",
) -> Iterator[str]:
    """Run nginx (not as a daemon) with `nginx_conf` until the block ends; yields its URL."""
    conf = nginx_conf(work, port, upstreams, source=source, http_extra=http_extra)
    base = f"http://127.0.0.1:{port}"
    command = [nginx_binary(), "-p", str(work), "-c", str(conf), "-g", "daemon off;"]
    with loadgen.serving(command, f"{base}/healthz"):
        yield base
