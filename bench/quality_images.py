"""Quality of the image, OCR, ZIP and secrets extractors on their labelled corpora.

    python -m bench quality-images              train and held-out
    python -m bench quality-images --split heldout

Corpora: tests/intake/corpus/ (see its README). For each part, train and held-out, prints
markdown tables:
- OCR word recall on the screenshots by scale and theme: Tesseract on the picture as it
  is, prepared (ocr_prepare) without the variants line, and as the extractor returns it;
  seconds per screenshot;
- photos: location removed (of the photos that hold one; must be 100 %), the JPEG image
  data unchanged by the removal, fields (size, camera, time taken) and upright
  metadata-free thumbnails as labelled; images per second;
- ZIPs read as labelled (refusals, counts, text, names); archives per second;
- secrets masked per kind (and with the labelled kind), false positives, look-alikes
  touched; MB per second.
Speed is measured here only; the tests guard quality.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from PIL import Image

from services.intake.extract import Limits, Refused
from services.intake.extract.archive import extract_zip
from services.intake.extract.image import extract_image
from services.intake.extract.ocr import read_text
from services.intake.extract.secrets_scan import find_secrets
from tests.intake.corpus.measure import (
    CORPUS,
    SPLITS,
    has_location,
    labels,
    metadata_free,
    recall,
    same_image_data,
    score_secrets,
    upright,
)

GROUPS = ("1x-light", "1x-dark", "2x-light", "2x-dark", "all")
MODES = {
    "as is": {"prepare": False},
    "prepared": {"variants": False},
    "prepared + variants": {},
}


def _pct(hit: int, total: int) -> str:
    return f"{hit}/{total} ({100 * hit / total:.1f} %)" if total else "-"


def ocr_table(split: str) -> None:
    found = {(m, g): [0, 0] for m in MODES for g in GROUPS}
    seconds: dict[str, list[float]] = {m: [] for m in MODES}
    items = labels("screenshots", split)
    for name, label in items.items():
        image = Image.open(CORPUS / "screenshots" / split / name)
        image.load()
        for mode, options in MODES.items():
            started = time.perf_counter()
            text = read_text(image, **options)  # type: ignore[arg-type]
            seconds[mode].append(time.perf_counter() - started)
            hit, wanted = recall(str(label["text"]), text)
            for group in (f"{label['scale']}x-{label['theme']}", "all"):
                found[mode, group][0] += hit
                found[mode, group][1] += wanted
    print(f"\n### OCR word recall, {split} ({len(items)} screenshots)\n")
    print("| screenshots | " + " | ".join(MODES) + " |")
    print("|---|" + "---|" * len(MODES))
    for group in GROUPS:
        cells = [f"{found[m, group][0] / found[m, group][1]:.3f}" for m in MODES]
        print(f"| {group} ({found['as is', group][1]} words) | " + " | ".join(cells) + " |")
    cells = [f"{statistics.mean(seconds[m]):.2f} (max {max(seconds[m]):.2f})" for m in MODES]
    print("| seconds per screenshot | " + " | ".join(cells) + " |")


def photos_table(split: str) -> None:
    items = labels("photos", split)
    with_location = removed = jpegs = jpegs_same = 0
    fields_right = thumbs_right = 0
    elapsed = 0.0
    for name, label in items.items():
        path = CORPUS / "photos" / split / name
        started = time.perf_counter()
        found = extract_image(path, Limits(), ocr=False)
        elapsed += time.perf_counter() - started
        original = path.read_bytes()
        if label["has_location"]:
            with_location += 1
            removed += found.cleaned is not None and not has_location(found.cleaned)
            if label["format"] == "JPEG" and found.cleaned is not None:
                jpegs += 1
                jpegs_same += same_image_data(original, found.cleaned)
        expected = {k: label[k] for k in ("width", "height", "camera", "taken_at")}
        fields_right += all(found.fields[k] == v for k, v in expected.items())
        thumbs_right += bool(
            found.thumbnail and upright(found.thumbnail) and metadata_free(found.thumbnail)
        )
    print(f"\n### Photos, {split} ({len(items)} pictures)\n")
    print("| measure | result |\n|---|---|")
    print(f"| location removed (of those with one) | {_pct(removed, with_location)} |")
    print(f"| JPEG image data unchanged by the removal | {_pct(jpegs_same, jpegs)} |")
    print(f"| fields right (size, camera, taken at) | {_pct(fields_right, len(items))} |")
    print(f"| thumbnail upright, without metadata | {_pct(thumbs_right, len(items))} |")
    print(f"| images per second (no OCR) | {len(items) / elapsed:.0f} |")


def zips_table(split: str) -> None:
    items = labels("zips", split)
    right = 0
    started = time.perf_counter()
    for name, label in items.items():
        path = CORPUS / "zips" / split / name
        try:
            found = extract_zip(path, Limits())
        except Refused as e:
            right += bool(label["refused"]) and str(label["refused"]) in str(e)
            continue
        names = {f["name"] for f in found.findings}
        right += (
            not label["refused"]
            and found.fields["entries"] == label["entries"]
            and len(found.findings) == label["listed"]
            and all(t in found.text for t in label["text_contains"])
            and not any(t in found.text for t in label["text_excludes"])
            and set(label["names"]) <= names
        )
    elapsed = time.perf_counter() - started
    print(
        f"\n### ZIPs, {split}: {_pct(right, len(items))} read as labelled, "
        f"{len(items) / elapsed:.0f} archives per second"
    )


def secrets_table(split: str) -> None:
    items = labels("secrets", split)
    masked, total, kind_right = Counter(), Counter(), Counter()
    false_positives: list[str] = []
    broken: list[str] = []
    size, elapsed = 0, 0.0
    for name, label in items.items():
        text = (CORPUS / "secrets" / split / name).read_text()
        started = time.perf_counter()
        hits = [(h.kind, h.start, h.end) for h in find_secrets(text)]
        elapsed += time.perf_counter() - started
        size += len(text.encode())
        score = score_secrets(text, label, hits)
        for kind, was_masked, right_kind in score.secrets:
            total[kind] += 1
            masked[kind] += was_masked
            kind_right[kind] += right_kind
        false_positives += [
            f"{name}: {h[0]} {text[h[1] : h[2]][:24]!r}" for h in score.false_positives
        ]
        broken += [f"{name}: {k}" for k in score.keep_broken]
    print(f"\n### Secrets, {split} ({len(items)} texts, {sum(total.values())} secrets)\n")
    print("| kind | masked | masked as this kind |\n|---|---|---|")
    for kind in sorted(total):
        print(f"| {kind} | {masked[kind]}/{total[kind]} | {kind_right[kind]}/{total[kind]} |")
    print(
        f"| **all** | {_pct(sum(masked.values()), sum(total.values()))} | "
        f"{_pct(sum(kind_right.values()), sum(total.values()))} |"
    )
    print(
        f"\nFalse positives: {len(false_positives)}; look-alikes touched: {len(broken)}; "
        f"{size / 1e6 / elapsed:.1f} MB per second."
    )
    for line in false_positives + broken:
        print(f"- {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, action="append")
    parser.add_argument("--skip-ocr", action="store_true", help="no screenshots (no Tesseract)")
    args = parser.parse_args()
    for split in args.split or SPLITS:
        print(f"\n## {split}")
        if not args.skip_ocr:
            ocr_table(split)
        photos_table(split)
        zips_table(split)
        secrets_table(split)


if __name__ == "__main__":
    main()
