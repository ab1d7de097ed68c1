"""ZIP archives: listed and read within caps, hostile ones refused or capped, never
extracted; the labelled corpus (train and held-out) as a regression guard."""

from __future__ import annotations

import io
import random
import resource
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from services.intake.extract import Limits, Refused
from services.intake.extract.archive import extract_zip
from tests.intake.corpus.measure import CORPUS, labels

CASES = [(split, name) for split in ("train", "heldout") for name in labels("zips", split)]


def _zip(path: Path, entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return path


@pytest.mark.parametrize(("split", "name"), CASES, ids=[f"{s}/{n}" for s, n in CASES])
def test_corpus_archive_reads_as_labelled(split: str, name: str) -> None:
    label = labels("zips", split)[name]
    path = CORPUS / "zips" / split / name
    if label["refused"]:
        with pytest.raises(Refused, match=label["refused"]):
            extract_zip(path, Limits())
        return
    found = extract_zip(path, Limits())
    names = [f["name"] for f in found.findings]
    assert found.kind == "zip"
    assert found.fields["entries"] == label["entries"]
    assert len(found.findings) == label["listed"]
    assert all(f["type"] == "zip_entry" for f in found.findings)
    for text in label["text_contains"]:
        assert text in found.text
    for text in label["text_excludes"]:
        assert text not in found.text
    for entry in label["names"]:
        assert entry in names
    encrypted = {f["name"] for f in found.findings if f.get("encrypted")}
    assert encrypted == set(label.get("encrypted", []))


def test_text_entries_get_a_header_and_binaries_are_skipped(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "a.zip",
        [
            ("logs/app.log", b"ERROR boom\n"),
            ("notes", b"plain text without an extension\n"),
            ("blob", bytes(range(256)) * 8),
            ("photo.jpg", b"\xff\xd8\xff\xe0 not really text"),
        ],
    )
    found = extract_zip(path, Limits())
    assert found.text == (
        "==> logs/app.log <==\nERROR boom\n\n==> notes <==\nplain text without an extension\n\n"
    )
    assert [f["size"] for f in found.findings] == [11, 32, 2048, 20]


def test_one_hundred_thousand_entries_are_capped_quickly_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for i in range(100_000):
            z.writestr(f"f/{i}.txt", b"")
    tracemalloc.start()
    started = time.perf_counter()
    found = extract_zip(path, Limits())
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found.fields["entries"] == 100_000
    assert len(found.findings) == 1_000
    assert "Only the first 1,000 of 100,000 entries are listed." in found.notes
    assert peak < 40 * 1024 * 1024  # zipfile itself would hold ~115 MB of entry objects
    assert elapsed < 10


def test_many_small_bombs_are_refused_by_their_total(tmp_path: Path) -> None:
    path = _zip(tmp_path / "b.zip", [(f"{i}.dat", bytes(600 * 1024)) for i in range(4)])
    limits = Limits(max_zip_total_bytes=2 * 1024 * 1024)
    with pytest.raises(Refused, match="zip bomb"):
        extract_zip(path, limits)
    assert extract_zip(path, Limits()).fields["entries"] == 4  # under the default total


def test_the_ratio_cap_spares_small_entries(tmp_path: Path) -> None:
    path = _zip(tmp_path / "z.zip", [("dots.log", b"." * 512 * 1024)])  # 500:1, but small
    found = extract_zip(path, Limits())
    assert found.text.startswith("==> dots.log <==\n.....")
    assert "The text stops at 200,000 characters." in found.notes


def test_a_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    path = CORPUS / "zips" / "train" / "bomb_ratio.zip"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    with pytest.raises(Refused, match="expands from 20,387 to 20,971,520 bytes"):
        extract_zip(path, Limits())
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - before < 0.5


def test_reading_stops_at_the_entry_text_and_total_caps(tmp_path: Path) -> None:
    rows = b"".join(
        b"%06d INFO request %08x served in %d ms\n" % (i, i * 2654435761 % 2**32, i % 997)
        for i in range(6000)
    )
    logs = [("a.log", rows[:228_000]), ("b.log", rows[:228_000]), ("c.log", rows[:100])]
    path = _zip(tmp_path / "big.zip", logs)
    entry_cap = extract_zip(path, Limits(max_zip_entry_bytes=10_000))
    assert "Only the first 10,000 bytes of a.log were read." in entry_cap.notes
    assert "Only the first 10,000 bytes of b.log were read." in entry_cap.notes
    assert "==> c.log <==" in entry_cap.text
    total_cap = extract_zip(path, Limits(max_zip_total_bytes=300_000, max_text_chars=10**6))
    assert "Only the first 72,000 bytes of b.log were read." in total_cap.notes
    assert "Reading stopped at 300,000 bytes for the archive." in total_cap.notes
    assert "==> c.log <==" not in total_cap.text
    text_cap = extract_zip(path, Limits(max_text_chars=1_000))
    assert len(text_cap.text) < 1_100 and "==> b.log <==" not in text_cap.text
    assert "The text stops at 1,000 characters." in text_cap.notes


def test_names_are_only_names(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "n.zip",
        [
            ("../../../etc/passwd", b"x"),
            ("C:\\Windows\\evil.dll", b"MZ"),
            ("ok/../../up.txt", b"y"),
            ("invoice\u202efdp.exe", b"MZ"),
            ("line\nbreak.txt", b"z"),
        ],
    )
    found = extract_zip(path, Limits())
    names = [f["name"] for f in found.findings]
    assert names[3] == "invoice\ufffdfdp.exe" and names[4] == "line\ufffdbreak.txt"
    assert [bool(f.get("unsafe_name")) for f in found.findings] == [True, True, True, False, False]
    assert any("3 entry names pointing outside the archive" in n for n in found.notes)
    assert not list(tmp_path.glob("**/passwd")) and not (tmp_path.parent / "up.txt").exists()


def test_nested_zips_are_opened_one_level(tmp_path: Path) -> None:
    found = extract_zip(CORPUS / "zips" / "train" / "nested.zip", Limits())
    names = [f["name"] for f in found.findings]
    assert "bundle/inner.zip!/deeper.zip" in names
    assert not any(n.startswith("bundle/inner.zip!/deeper.zip!/") for n in names)
    assert "ZIP files nested more than one level deep are listed, not opened." in found.notes


def test_a_damaged_nested_zip_is_a_note_not_a_failure(tmp_path: Path) -> None:
    path = _zip(tmp_path / "d.zip", [("inner.zip", b"PK\x03\x04 not really"), ("a.txt", b"ok")])
    found = extract_zip(path, Limits())
    assert "==> a.txt <==" in found.text
    assert any("inner.zip is not a ZIP archive that can be read" in n for n in found.notes)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", b"PK\x05\x06" + b"\xff" * 18, b"\x00" * 100_000],
    ids=["empty", "text", "eocd-pointing-nowhere", "zeros"],
)
def test_what_is_no_zip_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(data)
    with pytest.raises(Refused, match="not a ZIP archive"):
        extract_zip(path, Limits())


def test_a_truncated_zip_is_refused(tmp_path: Path) -> None:
    data = (CORPUS / "zips" / "train" / "logs_with_trace.zip").read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(Refused):
        extract_zip(path, Limits())


def test_prepended_bytes_are_allowed(tmp_path: Path) -> None:
    """A self-extracting archive: a program stub, then the ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", b"inside")
    path = tmp_path / "sfx.zip"
    path.write_bytes(b"MZ stub " * 100 + buffer.getvalue())
    assert "inside" in extract_zip(path, Limits()).text


@pytest.mark.parametrize(
    "name", ["normal.zip", "nested.zip", "encrypted.zip", "logs_with_trace.zip"]
)
def test_damaged_archives_give_a_result_or_a_refusal(tmp_path: Path, name: str) -> None:
    """Bytes flipped and cut at random (seeded): an Extraction or Refused, nothing else."""
    rng = random.Random(name)
    original = (CORPUS / "zips" / "train" / name).read_bytes()
    outcomes = []
    for n in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            if rng.random() < 0.8:
                data[at] = rng.randrange(256)
            else:
                del data[at : at + rng.randint(1, 40)]
        path = tmp_path / f"{n}.zip"
        path.write_bytes(bytes(data))
        try:
            found = extract_zip(path, Limits())
            outcomes.append(len(found.findings) <= Limits().max_zip_entries)
        except Refused:
            outcomes.append(True)
    assert all(outcomes)
