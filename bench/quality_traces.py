"""Stack traces found in text, against the labelled corpus (tests/intake/corpus/traces).

    python -m bench quality-traces [--part train|heldout] [--no-speed]

For the train and the held-out part separately: per language, the share of labelled traces
found and of exact matches of exception, message and top frame; crash grouping precision
and recall over pairs of found traces (same group id <-> same fingerprint); traces found in
look-alike texts (which must give none) and unexpected ones elsewhere; every miss. Then the
speed of find_traces on the corpus and on hostile text. The held-out part is measured,
never tuned on (see the corpus README).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from services.intake.extract.traces import Trace, find_traces

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "intake" / "corpus" / "traces"
FIELDS = ("exception", "message", "top_frame")
LANGUAGES = ("python", "java", "javascript", "go", "dotnet")


@dataclass
class Quality:
    part: str
    files: int = 0
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # language -> counters
    same_group: int = 0  # pairs of found traces labelled with the same group
    same_fingerprint: int = 0  # pairs of found traces with equal fingerprints
    both: int = 0
    lookalike_files: int = 0
    lookalike_found: int = 0  # traces found where none is
    unexpected: int = 0  # traces found beyond the labelled ones in the other files
    misses: list[str] = field(default_factory=list)

    def rate(self, what: str, language: str | None = None) -> float:
        rows = [self.counts[language]] if language else list(self.counts.values())
        total = sum(row["traces"] for row in rows)
        return sum(row[what] for row in rows) / total if total else 1.0

    @property
    def traces(self) -> int:
        return sum(row["traces"] for row in self.counts.values())

    @property
    def precision(self) -> float:
        return self.both / self.same_fingerprint if self.same_fingerprint else 1.0

    @property
    def recall(self) -> float:
        return self.both / self.same_group if self.same_group else 1.0


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # as written: CRLF files keep their CRs


def _align(expected: list[dict[str, str]], found: list[Trace]) -> list[Trace | None]:
    """The found trace for each labelled one: the next one in the same language."""
    matched: list[Trace | None] = []
    k = 0
    for label in expected:
        j = next((j for j in range(k, len(found)) if found[j].language == label["language"]), -1)
        matched.append(found[j] if j >= 0 else None)
        k = j + 1 if j >= 0 else k
    return matched


def evaluate(part: str) -> Quality:
    labels = json.loads((CORPUS / part / "labels.json").read_text(encoding="utf-8"))
    quality = Quality(part, files=len(labels))
    grouped: list[tuple[str, str]] = []  # (group, fingerprint) of every found trace
    for name, expected in sorted(labels.items()):
        found = find_traces(read(CORPUS / part / name), limit=100)
        if not expected:
            quality.lookalike_files += 1
            quality.lookalike_found += len(found)
            quality.misses += [f"{name}: found {t.exception or '?'} in a look-alike" for t in found]
            continue
        matched = _align(expected, found)
        quality.unexpected += len(found) - sum(t is not None for t in matched)
        for label, trace in zip(expected, matched, strict=True):
            row = quality.counts.setdefault(label["language"], Counter())
            row["traces"] += 1
            if trace is None:
                quality.misses.append(f"{name}: not found ({label['exception']})")
                continue
            row["found"] += 1
            grouped.append((label["group"], trace.fingerprint))
            for what in FIELDS:
                got = getattr(trace, what)
                if got == label[what]:
                    row[what] += 1
                else:
                    quality.misses.append(f"{name}: {what} {got!r}, expected {label[what]!r}")
    for (g1, f1), (g2, f2) in combinations(grouped, 2):
        quality.same_group += g1 == g2
        quality.same_fingerprint += f1 == f2
        quality.both += g1 == g2 and f1 == f2
    return quality


def report(quality: Quality) -> None:
    print(f"\n## {quality.part}: {quality.traces} traces in {quality.files} files\n")
    print("| language | traces | found | exception | message | top frame |")
    print("|---|---|---|---|---|---|")
    for language in [*LANGUAGES, None]:
        if language and language not in quality.counts:
            continue
        total = quality.counts[language]["traces"] if language else quality.traces
        cells = " | ".join(f"{100 * quality.rate(w, language):.1f} %" for w in ("found", *FIELDS))
        print(f"| {language or '**all**'} | {total} | {cells} |")
    print(
        f"\nGrouping over pairs of found traces: precision {quality.precision:.3f}, "
        f"recall {quality.recall:.3f} ({quality.same_group} same-group pairs, "
        f"{quality.same_fingerprint} same-fingerprint pairs)."
    )
    print(
        f"Look-alikes: {quality.lookalike_found} traces found in {quality.lookalike_files} "
        f"texts without any; {quality.unexpected} unexpected traces in the other files."
    )
    print("\nMisses:" if quality.misses else "\nMisses: none.")
    for miss in quality.misses:
        print(f"- {miss}")


def _best_ms(text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        find_traces(text, limit=1000)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def speed() -> None:
    corpus = "\n".join(
        read(p) for part in ("train", "heldout") for p in (CORPUS / part).glob("*.txt")
    )
    cases = {
        "the whole corpus": corpus,
        "200,000 chars of corpus": (corpus * 2)[:200_000],
        "`at at at` in 2,000-char lines": ("at " * 660 + "\n") * 100,
        "near-miss frames": ("    at a (b:1:x)\n\tat a.b(\n" * 8_000)[:200_000],
        "10,000 one-frame traces": "Error: x\n    at f (/a.js:1:2)\n" * 10_000,
        "a 5 MB log (200,000 lines read)": (corpus * 30)[:5_000_000],
    }
    print("\n## Speed (best of 3)\n")
    print("| input | characters | ms | MB/s |")
    print("|---|---|---|---|")
    for name, text in cases.items():
        ms = _best_ms(text)
        print(f"| {name} | {len(text):,} | {ms:.0f} | {len(text) / 1000 / max(ms, 0.001):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["train", "heldout"], action="append")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    for part in args.part or ["train", "heldout"]:
        report(evaluate(part))
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
