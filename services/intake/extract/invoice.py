"""Invoice fields from a document's text: number, dates, total, tax, currency, vendor.

The text is read as layout lines (see `pdf.py`): a run of two or more spaces separates
*cells*, and a cell keeps its column. Labels (`invoice_labels.LABELS`) are found in cells;
a label's value is the rest of its cell, else the next cells of its line, else the cell
right under it (a label above its value, as in table headers and boxes).

Day or month first, for a date such as 04/12/2026 where both could be the month, is settled
by the document's own evidence, in this order:
    1. another slashed/dashed date in it that can be read one way only (13/12/2026);
    2. the language: German, French and Spanish documents write the day first;
    3. the invoice and due dates: the reading where the due date falls 0-183 days after the
       invoice date, when only one reading does;
    4. the currency: US dollars -> month first; any other currency -> day first;
    5. else month first (an English invoice with no other evidence).

The vendor is the issuer: a name given by a "From"/"Seller"/"Payable to" label, or else the
best-scored cell near the top (a legal form such as GmbH or Ltd, repeated elsewhere in the
document, not an address); never a cell of the customer's block ("Bill to", "Rechnung an",
"Facturer à", "Facturar a" and the lines under it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from . import invoice_values as values
from .invoice_labels import LABELS, LANGS, NOT_TITLES, TITLES
from .invoice_lexicon import LANG_WORDS
from .invoice_vendor import Cell, Label, find_vendor

VERSION = "1"

MAX_TEXT = 200_000  # characters read
MAX_LINE = 400  # characters of one line read
_SHORT = frozenset({"from", "von", "to", "an", "para", "de", "date", "due", "tax", "amount"})
_SHORT_ALONE = frozenset({"from", "von", "to", "an", "para", "de"})  # never followed by a value


def fold(text: str) -> str:
    """`text` without accents, one character for one ("Échéance" -> "Echeance"): labels
    match what OCR reads without its accents, and positions stay those of `text`."""
    return "".join(_FOLD.get(c, c) if ord(c) > 127 else c for c in text)


_FOLD = {
    chr(i): unicodedata.normalize("NFD", chr(i))[0]
    for i in range(0xC0, 0x250)
    if unicodedata.combining(unicodedata.normalize("NFD", chr(i))[-1])
}
_FAMILIES = {
    family: re.compile(
        r"(?<![\w])(?:" + fold("|".join(sorted(patterns, key=len, reverse=True))) + r")(?![\w])",
        re.IGNORECASE,
    )
    for family, patterns in LABELS.items()
}
_CELL = re.compile(r"[^ ](?:[^ ]| [^ ]){0,400}")
_TITLE = re.compile(
    r"^(?:" + fold("|".join(t for ts in TITLES.values() for t in ts)) + r")(?![\w])",
    re.IGNORECASE,
)
_NOT_TITLE = re.compile(r"^(?:" + fold("|".join(NOT_TITLES)) + r")", re.IGNORECASE)
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]{0,30}")
_WORD = re.compile(r"[^\W\d_]{2,20}")
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?) ?%")


@dataclass(frozen=True)
class Invoice:
    """The fields of one invoice; any may be None when the document does not show it."""

    invoice_number: str | None
    invoice_date: str | None  # YYYY-MM-DD
    due_date: str | None  # YYYY-MM-DD
    total: str | None  # decimal string, "1234.56"
    tax: str | None  # decimal string
    currency: str | None  # ISO 4217
    vendor: str | None
    language: str | None  # en, de, fr, es

    def as_fields(self) -> dict[str, str | None]:
        return asdict(self)


def _cells(text: str) -> list[list[Cell]]:
    lines = []
    for number, line in enumerate(text.split("\n")):
        line = line.replace("\t", "    ")[:MAX_LINE]
        cells = [
            Cell(number, m.start(), m.group(0), fold(m.group(0))) for m in _CELL.finditer(line)
        ]
        lines.append(cells)
    return lines


def _labels(cell: Cell) -> list[Label]:
    """The labels in a cell, the leftmost-longest first; an overlapped label is dropped."""
    found = []
    for family, regex in _FAMILIES.items():
        for m in regex.finditer(cell.folded):
            word = m.group(0).lower()
            rest = cell.text[m.end() :].lstrip()
            # Short words are labels only as "From:" / "To" alone in a cell, not in prose.
            prose = m.start() > 0 or (rest and not rest.startswith(":"))
            if word in _SHORT and prose and (word in _SHORT_ALONE or m.start() > 0):
                continue
            if family in ("salutation", "number_weak") and m.start() > 0:
                continue  # "Herrn ...", "No. ..." open a cell
            found.append(Label(family, cell, m.start(), m.end()))
    found.sort(key=lambda lab: (lab.start, -(lab.end - lab.start)))
    kept: list[Label] = []
    for label in found:
        if not kept or label.start >= kept[-1].end:
            kept.append(label)
    return kept


class _Doc:
    """The text's cells and labels, and where each label's value may be."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _cells(text)
        self.labels: list[Label] = []
        for cells in self.lines:
            for cell in cells:
                cell_labels = _labels(cell)
                for i, label in enumerate(cell_labels):
                    stop = cell_labels[i + 1].start if i + 1 < len(cell_labels) else None
                    label.value = cell.text[label.end : stop].strip(" :#.-").strip()
                self.labels.extend(cell_labels)
        self.labelled = {(lab.cell.line, lab.cell.start) for lab in self.labels}

    def family(self, name: str) -> list[Label]:
        return [lab for lab in self.labels if lab.family == name]

    def after(self, label: Label) -> list[str]:
        """The label's own value, then the cells after it on its line up to the next label."""
        out = [label.value] if label.value else []
        for cell in self.lines[label.cell.line]:
            if cell.start <= label.cell.start:
                continue
            if (cell.line, cell.start) in self.labelled:
                break
            out.append(cell.text)
        return out

    def below(self, label: Label, depth: int = 2) -> list[str]:
        """Cells under the label, overlapping its columns, on the next `depth` text lines."""
        out: list[str] = []
        lo, hi = label.cell.start, label.cell.start + len(label.cell.text)
        for cells in self.lines[label.cell.line + 1 : label.cell.line + 1 + depth]:
            for cell in cells:
                overlaps = cell.start < hi + 2 and cell.start + len(cell.text) > lo - 2
                if overlaps and (cell.line, cell.start) not in self.labelled:
                    out.append(cell.text)
        return out


def _language(text: str) -> str:
    counts = dict.fromkeys(LANGS, 0)
    words = {lang: set(ws) for lang, ws in LANG_WORDS.items()}
    for m in _WORD.finditer(text[:20_000].lower()):
        for lang in LANGS:
            counts[lang] += m.group(0) in words[lang]
    return max(LANGS, key=lambda lang: (counts[lang], lang == "en"))


def _is_invoice(doc: _Doc) -> bool:
    for cells in doc.lines[:40]:
        for cell in cells:
            if _NOT_TITLE.match(cell.folded):
                return False
            if _TITLE.match(cell.folded) and not any(
                lab.cell is cell and lab.family == "customer" and lab.start == 0
                for lab in doc.labels
            ):
                return True
    return any(doc.after(lab) for lab in doc.family("number"))


def _number(doc: _Doc) -> str | None:
    """The value of the first number label that has one; bare words ("No.", "Número") only
    when no such label does, and a title ("Invoice 2026-17") only with a number in its cell."""
    for family in ("number", "number_weak"):
        for label in doc.family(family):
            if family == "number_weak" and label.start > 0:
                continue
            word = label.cell.folded[label.start : label.end]
            if family == "number_weak" and _TITLE.fullmatch(word):
                candidates = [label.value]
            else:
                candidates = [*doc.after(label)[:2], *doc.below(label, 1)]
            for candidate in candidates:
                m = _NUMBER.search(candidate)
                if m is None or not any(c.isdigit() for c in m.group(0)):
                    continue
                if any(d.start == m.start() for d in values.dates(candidate)):
                    continue  # "Invoice 4 December 2026": a date, not a number
                return m.group(0).rstrip("./-")
    return None


def _amount(doc: _Doc, families: tuple[str, ...]) -> values.Amount | None:
    """The amount of the first family that has one: the last amount after its label on the
    line (the value column), else under it; among several labels, the largest amount."""
    for family in families:
        found = []
        for label in doc.family(family):
            amounts = [a for text in doc.after(label) for a in values.amounts(text)]
            if not amounts:
                amounts = [a for text in doc.below(label) for a in values.amounts(text)][:1]
            if amounts:
                found.append(amounts[-1])
        if found:
            return max(found, key=lambda a: a.value)
    return None


def _tax(doc: _Doc) -> values.Amount | None:
    """The tax amount: a "total tax" line if there is one; else the sum over the rates when
    several rates have a line each (7 % and 19 %); else the largest tax amount."""
    by_rate: dict[str, values.Amount] = {}
    found = []
    for label in doc.family("tax"):
        amounts = [a for text in doc.after(label) for a in values.amounts(text)]
        amounts = amounts or [a for text in doc.below(label) for a in values.amounts(text)][:1]
        if not amounts:
            continue
        if "total" in label.cell.folded.lower() or "summe" in label.cell.folded.lower():
            return amounts[-1]
        found.append(amounts[-1])
        rate = _RATE.search(label.cell.text)
        if rate:
            by_rate.setdefault(rate.group(1).replace(",", "."), amounts[-1])
    if len(by_rate) > 1:
        total = sum((a.value for a in by_rate.values()), Decimal("0"))
        return values.Amount(total, found[0].currency, found[0].start)
    return max(found, key=lambda a: a.value) if found else None


def _dates(doc: _Doc, family: str) -> list[values.DateText]:
    for label in doc.family(family):
        for candidate in [*doc.after(label)[:2], *doc.below(label, 1)]:
            found = values.dates(candidate)
            if found:
                return found[:1]
    return []


def _currency(doc: _Doc, total: values.Amount | None) -> str | None:
    if total is not None and total.currency and total.currency != "USD":
        return total.currency
    seen = values.currencies(doc.text)
    codes = [c for c in seen if c != "USD"]
    if total is not None and total.currency == "USD":
        # "$" alone: a dollar code printed elsewhere (CAD, AUD...) says which dollar.
        dollars = [c for c in codes if c in ("CAD", "AUD", "NZD", "MXN", "SGD", "HKD")]
        return dollars[0] if dollars else "USD"
    if not seen:
        return None
    return max(set(seen), key=seen.count)


def _resolve(
    issued: list[values.DateText],
    due: list[values.DateText],
    lang: str,
    currency: str | None,
    text: str,
) -> tuple[str | None, str | None]:
    """ISO invoice and due dates, day or month first as the module doc says."""
    day_first = values.explicit_order(text)
    if day_first is None and lang != "en":
        day_first = True
    if day_first is None and issued and due and (issued[0].ambiguous or due[0].ambiguous):
        fits = []
        for option in (True, False):
            a, b = issued[0].iso(option), due[0].iso(option)
            if a and b and 0 <= (date.fromisoformat(b) - date.fromisoformat(a)).days <= 183:
                fits.append(option)
        if len(fits) == 1:
            day_first = fits[0]
    if day_first is None:
        day_first = currency not in (None, "USD")
    return (
        issued[0].iso(day_first) if issued else None,
        due[0].iso(day_first) if due else None,
    )


def read_invoice(text: str) -> Invoice | None:
    """The invoice in `text`, or None when the text is not an invoice."""
    text = unicodedata.normalize("NFKC", text[:MAX_TEXT])
    doc = _Doc(text)
    if not _is_invoice(doc):
        return None
    total = _amount(doc, ("total", "total_weak"))
    number = _number(doc)
    issued, due = _dates(doc, "date"), _dates(doc, "due")
    if not issued:  # "Berlin, 4. Dezember 2026": the first date that is not the due date
        taken = {d.iso() for d in due}
        issued = [d for d in values.dates(text[:5000]) if d.iso() not in taken][:1]
    if total is None and not (number and issued):
        return None
    tax = _tax(doc)
    lang = _language(text)
    currency = _currency(doc, total)
    invoice_date, due_date = _resolve(issued, due, lang, currency, text)
    return Invoice(
        invoice_number=number,
        invoice_date=invoice_date,
        due_date=due_date,
        total=values.money(total.value) if total else None,
        tax=values.money(tax.value) if tax else None,
        currency=currency,
        vendor=find_vendor(doc.lines, doc.labels),
        language=lang,
    )
