"""The issuer of an invoice: the company that sends it, never the customer it is sent to.

First a name given by a vendor label ("From:", "Seller", "Payable to", "Kontoinhaber",
"Émetteur", "Emisor"...); else every cell outside the customer's block is scored: a legal
form at its end (GmbH, Ltd, SARL, S.L....), near the top of the first page (letterheads,
the name beside the logo), repeated elsewhere (footers and bank details repeat the issuer),
in the footer; an address, a long phrase or a table heading counts against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .invoice_lexicon import LEGAL_FORMS
from .invoice_values import dates

VERSION = "1"  # bumped with invoice.VERSION when what it reads changes

_SPLIT = re.compile(" ?[·|•] ?|, | \u2013 | - ")
_ADDRESS = re.compile(
    r"\d{4,5}(?!\w)|(?<!\w)(?:str\.|straße|strasse|street|st\.|road|rd\.|avenue|ave\.|rue|"
    r"calle|avenida|av\.|weg|platz|allee|boulevard|bd\.?|lane|suite|p\.?o\.? box|plaza|"
    r"paseo|chemin|place|gasse|ring|drive|way)(?!\w)",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"@|www\.|https?:|\+\d|\d{3}[ -]\d{3,4}", re.IGNORECASE)
_GENERIC_WORDS = (
    "description item items qty quantity price amount total thank thanks bank payment terms "
    "notes note page vielen dank merci gracias conditions bedingungen beschreibung désignation "
    "descripción hours rate service services leistung position pos unit einheit prix precio "
    "iban bic swift invoice rechnung facture factura please bitte veuillez por favor details "
    "summary subtotal sum date datum fecha due"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
_LEGAL = frozenset(LEGAL_FORMS)
_LEGAL_FIRST = frozenset({"sarl", "sas", "sasu", "eurl", "snc", "sci", "selarl"})


@dataclass(frozen=True, eq=False)
class Cell:
    """A run of text on a layout line: its line number, its column and its text."""

    line: int
    start: int
    text: str
    folded: str = ""  # the text without accents (invoice.fold), for label matching


@dataclass(eq=False)
class Label:
    """A label found in a cell; `value` is the rest of that cell up to the next label."""

    family: str
    cell: Cell
    start: int
    end: int
    value: str = ""


def _has_legal_form(name: str) -> bool:
    """A legal form ends the name ("Acme Ltd", "Bergmann & Söhne KG") or, in French,
    may open it ("SARL Le Petit Atelier")."""
    words = name.lower().replace(",", " ").split()
    if len(words) > 1 and words[0] in _LEGAL_FIRST:
        return True
    tails = (" ".join(words[-n:]) for n in (1, 2, 4) if len(words) >= n)
    return any(tail in _LEGAL or tail.rstrip(".") in _LEGAL for tail in tails)


def clean_name(text: str) -> str:
    """The name in a cell such as "Acme Ltd · 1 High Street · London"."""
    parts = [p.strip(" :;,") for p in _SPLIT.split(text) if p.strip(" .:;,")]
    if not parts:
        return ""
    legal = [p for p in parts if _has_legal_form(p)]
    name = legal[0] if legal else parts[0]
    # A sentence's full stop goes; the one of "Inc." or "S.L." stays.
    last = name.lower().split()[-1]
    return name if last in _LEGAL or last.rstrip(".") in _LEGAL else name.rstrip(".")


def _plausible(name: str) -> bool:
    letters = sum(c.isalpha() for c in name)
    digits = sum(c.isdigit() for c in name)
    return letters >= 3 and digits <= letters // 5 and not _CONTACT.search(name)


def _customer_cells(lines: list[list[Cell]], labels: list[Label]) -> set[Cell]:
    """The cells of every customer block: the label's cell, the cell after it, and the
    cells under it (same column, until a blank line; at most 6 lines)."""
    out: set[Cell] = set()
    for label in labels:
        if label.family not in ("customer", "salutation"):
            continue
        cell = label.cell
        out.add(cell)
        below = lines[cell.line + 1] if cell.line + 1 < len(lines) else []
        columns = [cell.start]
        after = [c for c in lines[cell.line] if c.start > cell.start][:1]
        # "Bill to:  Acme Ltd" on one line is the customer; but when the block is under the
        # label, the next cell on its line belongs to another column (often the issuer's).
        if after and not label.value and not any(abs(c.start - cell.start) <= 3 for c in below):
            out.add(after[0])
            columns.append(after[0].start)
        for cells in lines[cell.line + 1 : cell.line + 7]:
            if not cells:
                break
            for other in cells:
                if any(abs(other.start - col) <= 3 for col in columns):
                    out.add(other)
    return out


def _labelled_name(lines: list[list[Cell]], labels: list[Label]) -> str | None:
    """The name given by a vendor label: in its cell ("From: Acme Ltd"), else under it,
    else in the next cell of its line (when that is no label itself)."""
    starts = {lab.cell for lab in labels if lab.start == 0}
    for label in labels:
        if label.family != "vendor":
            continue
        line = label.cell.line
        below = [
            c
            for c in (lines[line + 1] if line + 1 < len(lines) else [])
            if abs(c.start - label.cell.start) <= 3 and c not in starts
        ]
        after = [c for c in lines[line] if c.start > label.cell.start][:1]
        candidates = [label.value] if label.value else []
        candidates += [c.text for c in below]
        candidates += [c.text for c in after if not label.value and c not in starts]
        for text in candidates:
            name = clean_name(text)
            if _plausible(name) and not _ADDRESS.search(name):
                return name
    return None


def find_vendor(lines: list[list[Cell]], labels: list[Label]) -> str | None:
    """The issuing company's name, or None when nothing looks like one."""
    named = _labelled_name(lines, labels)
    if named:
        return named
    customer = _customer_cells(lines, labels)
    labelled = {lab.cell for lab in labels if lab.start == 0}
    text = "\n".join(c.text for cells in lines for c in cells)
    filled = [i for i, cells in enumerate(lines) if cells]
    rank = {line: r for r, line in enumerate(filled)}
    footer = set(filled[-5:])
    best, best_score = None, 1.5
    for cells in lines:
        for cell in cells:
            if cell in customer or cell in labelled:
                continue
            name = clean_name(cell.text)
            if not _plausible(name):
                continue
            words = name.lower().split()
            score = 0.0
            legal = _has_legal_form(name)
            score += 4 if legal else 0
            r = rank[cell.line]
            score += max(0.0, 3 - 0.4 * r)
            # Footers and bank details repeat the issuer; a one-word name may be a city.
            score += 2 if text.count(name) >= 2 and (legal or len(words) > 1) else 0
            score -= 4 if dates(cell.text) else 0  # "Kassel, 4. Dezember 2026"
            score += 1 if legal and cell.line in footer else 0
            score -= 4 if _ADDRESS.search(name) else 0
            # "Name · Street 1 · City": a letterhead or footer line opens with the issuer.
            parts = _SPLIT.split(cell.text)
            score += 3 if len(parts) >= 3 and name == parts[0].strip(" .:;,") else 0
            score -= 3 if len(words) > 6 or len(name) > 50 else 0
            score -= 5 if any(w.strip(".:,") in _GENERIC for w in words) else 0
            if score > best_score:
                best, best_score = name, score
    return best
