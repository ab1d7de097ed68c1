"""Invoice extraction against its labelled corpus: exact-match rates, misses, speed.

    python -m bench quality-invoices
    python -m bench quality-invoices --part heldout --misses 50

Reads tests/intake/corpus/invoices/{train,heldout} (labels.json beside the PDFs) through
`extract_pdf`, the function the intake pipeline calls. For each part, separately: the
exact-match rate of each field over the invoices (per language, and scans against PDFs with
a text layer), invoices missed and non-invoices taken for invoices, and the misses one by
one. Then the speed: pages per second of `read_pdf` on the text PDFs, seconds per scanned
page (OCR). The held-out part was written before any tuning and is never tuned on.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "intake" / "corpus" / "invoices"
FIELDS = ("invoice_number", "invoice_date", "due_date", "total", "tax", "currency", "vendor")


def same(name: str, expected: object, got: object) -> bool:
    """Exact match; names and numbers ignore case, spacing and trailing punctuation."""
    if name in ("vendor", "invoice_number") and expected is not None and got is not None:

        def norm(v: object) -> str:
            return " ".join(str(v).casefold().split()).strip(" .,")

        return norm(expected) == norm(got)
    return expected == got


@dataclass
class Result:
    file: str
    language: str
    scan: bool
    kind_expected: str
    kind_got: str
    expected: dict
    got: dict
    seconds: float


@dataclass
class Report:
    part: str
    results: list[Result] = field(default_factory=list)

    @property
    def invoices(self) -> list[Result]:
        return [r for r in self.results if r.kind_expected == "invoice"]

    def rate(self, name: str, subset: list[Result] | None = None) -> float:
        rows = self.invoices if subset is None else subset
        if not rows:
            return float("nan")
        return sum(same(name, r.expected.get(name), r.got.get(name)) for r in rows) / len(rows)

    @property
    def false_positives(self) -> list[Result]:
        return [r for r in self.results if r.kind_expected == "pdf" and r.kind_got != "pdf"]

    @property
    def missed(self) -> list[Result]:
        return [r for r in self.invoices if r.kind_got != "invoice"]

    def misses(self) -> list[tuple[str, str, object, object]]:
        return [
            (r.file, name, r.expected.get(name), r.got.get(name))
            for r in self.invoices
            for name in FIELDS
            if not same(name, r.expected.get(name), r.got.get(name))
        ]


def evaluate(part: str, corpus: Path = CORPUS) -> Report:
    from services.intake.extract.pdf import extract_pdf

    labels = json.loads((corpus / part / "labels.json").read_text())
    report = Report(part)
    for name, label in sorted(labels.items()):
        start = time.perf_counter()
        extraction = extract_pdf(corpus / part / name)
        seconds = time.perf_counter() - start
        got = extraction.fields if extraction.kind == "invoice" else {}
        report.results.append(
            Result(
                name,
                label["language"],
                label["scan"],
                label["kind"],
                extraction.kind,
                label["fields"],
                got,
                seconds,
            )
        )
    return report


def _pct(value: float) -> str:
    return "-" if value != value else f"{100 * value:.0f} %"


def print_report(report: Report, misses: int) -> None:
    inv = report.invoices
    print(
        f"\n## {report.part}: {len(inv)} invoices, {len(report.results) - len(inv)} non-invoices\n"
    )
    print("| rows | n | " + " | ".join(FIELDS) + " |")
    print("|---|---|" + "---|" * len(FIELDS))
    groups = [("all", inv)]
    groups += [(lang, [r for r in inv if r.language == lang]) for lang in ("en", "de", "fr", "es")]
    groups += [("text PDFs", [r for r in inv if not r.scan]), ("scans", [r for r in inv if r.scan])]
    for title, rows in groups:
        cells = " | ".join(_pct(report.rate(name, rows)) for name in FIELDS)
        print(f"| {title} | {len(rows)} | {cells} |")
    print(
        f'\ninvoices read as kind "invoice": {len(inv) - len(report.missed)}/{len(inv)}'
        f" (missed: {', '.join(r.file for r in report.missed) or 'none'})"
    )
    non = len(report.results) - len(inv)
    print(
        f"non-invoices taken for invoices: {len(report.false_positives)}/{non}"
        f" ({', '.join(r.file for r in report.false_positives) or 'none'})"
    )
    rows = report.misses()
    print(f"\nmisses ({len(rows)}{', first ' + str(misses) if len(rows) > misses else ''}):\n")
    for file, name, expected, got in rows[:misses]:
        print(f"- {file} {name}: expected {expected!r}, got {got!r}")


def speed(reports: list[Report]) -> None:
    from services.intake.extract.pdf import read_pdf

    texts = [CORPUS / r.part / x.file for r in reports for x in r.results if not x.scan]
    start, pages = time.perf_counter(), 0
    for _ in range(3):
        for path in texts:
            pages += len(read_pdf(path).pages)
    text_rate = pages / (time.perf_counter() - start)
    scans = [x.seconds for r in reports for x in r.results if x.scan]
    print("\n## speed\n")
    print("| what | value |\n|---|---|")
    print(f"| read_pdf, text layer | {text_rate:.0f} pages/s ({pages} pages) |")
    if scans:
        print(
            f"| extract_pdf, scanned page (OCR eng+deu+fra+spa) | "
            f"{sum(scans) / len(scans):.2f} s/page (max {max(scans):.2f}, {len(scans)} pages) |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("train", "heldout", "both"), default="both")
    parser.add_argument("--misses", type=int, default=30, help="misses listed per part")
    args = parser.parse_args()
    parts = ("train", "heldout") if args.part == "both" else (args.part,)
    reports = [evaluate(part) for part in parts]
    for report in reports:
        print_report(report, args.misses)
    speed(reports)
