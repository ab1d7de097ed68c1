"""Issue creation while others sign in: hashing must not hold SQLite's write lock.

    python -m bench signins [--seconds 5] [--signers 2]

One thread files issues as fast as it can on SQLite (in-process, the service calls a page
makes); meanwhile `--signers` threads sign in over and over with the production bcrypt cost
(12 rounds; half of the attempts with a wrong password). Prints a markdown table of create
latency alone and under sign-ins.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
from pathlib import Path

import services
from services import security

from .common import database, summary

PASSWORD = "benchmark passphrase 42"


def creates(actor: services.Actor, seconds: float) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        with services.session() as s:
            services.issues.create_issue(s, actor, {"title": "Filed under load"})
        latencies.append(time.perf_counter() - start)
    return latencies


def sign_ins(stop: threading.Event, counter: list[int]) -> None:
    n = 0
    while not stop.is_set():
        password = PASSWORD if n % 2 else "a wrong guess, counted"
        try:
            with services.session() as s:
                services.auth.sign_in(s, "signer@example.com", password)
        except services.AuthenticationFailed:
            pass
        n += 1
        counter[0] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--signers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database("sqlite", None, Path(tmp)) as url:
        services.connect(url, upload_dir=Path(tmp) / "up", secret_key=secrets.token_hex(16))
        security.configure_hashing(4)  # quick set-up
        with services.session() as s:
            admin = services.users.provision(
                s, {"email": "bench@example.com", "password": PASSWORD, "role": "ADMIN"}
            )
        actor = services.Actor(**admin.model_dump(include={"id", "email", "full_name", "role"}))
        security.configure_hashing(security.DEFAULT_ROUNDS)  # what production pays per hash
        with services.session() as s:
            services.users.provision(s, {"email": "signer@example.com", "password": PASSWORD})
        print("| creates | sign-ins/s | p50 ms | p95 ms | max ms | mean ms |")
        print("|---|---|---|---|---|---|")
        alone = creates(actor, args.seconds)
        print(f"| alone ({len(alone)}) | 0 | {summary(alone)} |")
        stop, counter = threading.Event(), [0]
        threads = [
            threading.Thread(target=sign_ins, args=(stop, counter)) for _ in range(args.signers)
        ]
        for t in threads:
            t.start()
        loaded = creates(actor, args.seconds)
        stop.set()
        for t in threads:
            t.join()
        rate = counter[0] / args.seconds
        print(f"| with {args.signers} signers ({len(loaded)}) | {rate:.1f} | {summary(loaded)} |")
