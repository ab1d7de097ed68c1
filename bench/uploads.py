"""Attachment uploads through the HTTP API: throughput and the server's memory per file size.

    python -m bench uploads --db sqlite
    python -m bench uploads --db postgresql --sizes 1,100 --runs 5,3
    python -m bench uploads --storage s3     the files in a bucket on a local S3 server

Runs the server as in production (`tracker serve`, its own process; TRACKER_MAX_UPLOAD_MB is
raised to the largest size when that is over the default 25 MB), creates an issue, then posts
PNG files (PNG signature + random bytes) of each size as multipart, streamed from disk by
httpx, several times. Each upload's SHA-256 is checked against the server's answer, and the
largest file is downloaded once and hashed. The server's VmRSS is sampled every 20 ms during
each size's uploads and during the download (and VmHWM read after resetting it); never
asserts on time. `--storage s3`: TRACKER_STORAGE_URL=s3://... on a local S3-compatible
server (moto's, in this benchmark's process, so its memory is not the tracker's).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from .common import BENCH_PASSWORD, database, percentile, rss_kb, seed, server

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n"


def payload(path: Path, size_mb: int) -> str:
    """A file the app types as image/png; returns its SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for i in range(size_mb):
            block = os.urandom(MB)
            block = PNG + block[len(PNG) :] if i == 0 else block
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


class PeakRss:
    """VmRSS of `pid` sampled in a thread, plus VmHWM (reset at start, if the kernel lets us)."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.hwm_reset:
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid, "VmHWM"))


def upload(client: httpx.Client, issue_id: int, path: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    with path.open("rb") as f:
        r = client.post(
            f"/api/v1/issues/{issue_id}/attachments", files={"file": (path.name, f, "image/png")}
        )
    elapsed = time.perf_counter() - started
    r.raise_for_status()
    return elapsed, r.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="1,100", help="file sizes in MB (MiB)")
    parser.add_argument("--runs", default="5,3", help="runs per size (one number: for all)")
    parser.add_argument("--storage", choices=["local", "s3"], default="local")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    runs = [int(n) for n in args.runs.split(",")]
    runs = (runs * len(sizes))[: len(sizes)] if len(runs) == 1 else runs
    print(
        "| db | storage | size | runs | p50 s | MB/s p50 | best MB/s | server RSS before MB "
        "| peak RSS MB | peak - before MB |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.db, args.pg_url, Path(tmp)) as url,
        storage(args.storage) as storage_settings,
    ):
        work = Path(tmp)
        files = work / "payloads"
        files.mkdir()
        seed(url, work, 10, None)
        limit = {"TRACKER_MAX_UPLOAD_MB": str(max(sizes))} if max(sizes) > 25 else {}
        with (
            server(url, work, None, **limit, **storage_settings) as (base, pid),
            httpx.Client(base_url=base, timeout=300) as client,
        ):
            login = {"email": "bench@example.com", "password": BENCH_PASSWORD}
            token = client.post("/api/v1/auth/token", json=login).raise_for_status().json()
            client.headers["Authorization"] = f"Bearer {token['access_token']}"
            r = client.post("/api/v1/issues", json={"title": "Upload benchmark"})
            issue_id = r.raise_for_status().json()["id"]
            (files / "warm.png").write_bytes(PNG + os.urandom(1024))
            upload(client, issue_id, files / "warm.png")
            largest: tuple[int, str, int] = (0, "", 0)
            for size, count in zip(sizes, runs, strict=True):
                path = files / f"{size}mb.png"
                sha = payload(path, size)
                before = rss_kb(pid)
                times = []
                with PeakRss(pid) as peak:
                    for _ in range(count):
                        elapsed, served = upload(client, issue_id, path)
                        if served["sha256"] != sha:
                            raise SystemExit(f"{size} MB: the server hashed another file")
                        times.append(elapsed)
                p50 = percentile(times, 50)
                print(
                    f"| {args.db} | {args.storage} | {size} MB | {count} | {p50:.3f} | "
                    f"{size / p50:.0f} | "
                    f"{size / min(times):.0f} | {before / 1024:.0f} | {peak.peak_kb / 1024:.0f} | "
                    f"{(peak.peak_kb - before) / 1024:.0f} |",
                    flush=True,
                )
                largest = max(largest, (size, sha, served["id"]))
                path.unlink()
            size, sha, attachment_id = largest
            digest, started, before = hashlib.sha256(), time.perf_counter(), rss_kb(pid)
            with (
                PeakRss(pid) as peak,
                client.stream("GET", f"/api/v1/attachments/{attachment_id}") as r,
            ):
                for chunk in r.raise_for_status().iter_bytes():
                    digest.update(chunk)
            took = time.perf_counter() - started
            verdict = "matches" if digest.hexdigest() == sha else "DIFFERS"
            print(
                f"<!-- {size} MB downloaded back in {took:.2f} s ({size / took:.0f} MB/s), "
                f"SHA-256 {verdict}, server peak RSS {peak.peak_kb / 1024:.0f} MB "
                f"({(peak.peak_kb - before) / 1024:+.0f} MB); peak RSS "
                f"{'includes' if peak.hwm_reset else 'without'} VmHWM (reset per size) -->"
            )


@contextmanager
def storage(kind: str) -> Iterator[dict[str, str]]:
    """The server's storage settings: none (the upload directory), or a bucket on a local
    S3 server started here."""
    if kind == "local":
        yield {}
        return
    from tests.storage.s3server import CREDENTIALS, S3Server

    os.environ.update(CREDENTIALS)  # the server process inherits them, as from its host
    s3 = S3Server()
    s3.start()
    try:
        bucket = s3.new_bucket()
        yield {"TRACKER_STORAGE_URL": f"s3://{bucket}/bench", "TRACKER_S3_ENDPOINT_URL": s3.url}
    finally:
        s3.stop()


if __name__ == "__main__":
    main()
