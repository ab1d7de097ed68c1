"""Values printed on invoices: amounts with their currency, dates in their many spellings.

Amounts: `1.234,56`, `1,234.56`, `1 234,56` (also no-break spaces), `1'234.56`, `1234.56`,
with a sign or code before or after (`€`, `$`, `£`, `CHF`, `EUR`, `US$`...). The decimal
separator is the one followed by exactly two digits at the end; thousands separators must be
regular (groups of three) and differ from it. A percentage (`19 %`) is never an amount.

Dates: ISO `2026-12-04`; dotted `04.12.2026` (always day first); slashed or dashed
`12/04/2026` (ambiguous when both parts are at most 12: see `day_first`); written out in
English, German, French or Spanish (`4 December 2026`, `December 4, 2026`, `4. Dezember
2026`, `1er décembre 2026`, `4 de diciembre de 2026`, `04-Dec-2026`).

Every regex here has bounded quantifiers only and no nested repetition: each runs in time
linear in its input (tests run them on 200,000 hostile characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .invoice_lexicon import CODES, MONTHS, SYMBOLS

VERSION = "1"  # bumped with invoice.VERSION when what it reads changes

_SIGNS = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_CODES = "|".join(sorted(CODES))
_CUR = rf"(?:{_SIGNS}|(?<![A-Za-z])(?:{_CODES})(?![A-Za-z]))"
_GROUP = "[.,' \u00a0\u202f\u2019]"
AMOUNT_RE = re.compile(
    rf"(?P<pre>{_CUR})? ?(?P<neg>-)? ?"
    rf"(?<![\d.,'])(?P<num>\d{{1,3}}(?:(?P<g>{_GROUP})\d{{3}}(?:(?P=g)\d{{3}}){{0,4}})?"
    rf"(?P<d>[.,])\d{{2}}|\d{{4,12}}[.,]\d{{2}})"
    rf"(?![\d%]| ?%)(?: ?(?P<post>{_CUR}))?"
)
_NUMERIC_DATE = re.compile(r"(?<![\d.,/-])(\d{1,4})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[.,]\d)")
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\d.,])(\d{1,2})(?:st|nd|rd|th|er|\.)?[ \-/]{1,2}(?:de )?([^\W\d_]{3,10})\.?,?"
    r"[ \-/]{1,2}(?:de |del )?(\d{4})(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(
    r"(?<![^\W\d_])([^\W\d_]{3,10})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})(?!\d)"
)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str | None  # from a sign or code printed beside it
    start: int  # where it starts in the text it was found in


def _currency(token: str | None) -> str | None:
    if not token:
        return None
    return SYMBOLS.get(token) or (token if token in CODES else None)


def amounts(text: str) -> list[Amount]:
    """Every amount in `text` with two decimals, left to right."""
    found: list[Amount] = []
    for m in AMOUNT_RE.finditer(text):
        num, group, dec = m.group("num"), m.group("g"), m.group("d")
        if dec is None:  # 1234.56: the last separator is the decimal one
            dec = num[-3]
        if group is not None and group == dec:
            continue  # 1.234.56: not a number
        digits = re.sub(r"\D", "", num[:-3])
        value = Decimal(f"{digits}.{num[-2:]}")
        if m.group("neg"):
            value = -value
        currency = _currency(m.group("pre")) or _currency(m.group("post"))
        found.append(Amount(value, currency, m.start("num")))
    return found


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def currencies(text: str) -> list[str]:
    """The currency signs and codes in `text`, as ISO codes, in order."""
    return [c for c in (_currency(m.group(0)) for m in re.finditer(_CUR, text)) if c]


@dataclass(frozen=True)
class DateText:
    """A date as printed. `first`/`second` are the two leading numbers of a slashed or
    dashed date that could be either day/month or month/day (`ambiguous`)."""

    year: int
    month: int
    day: int
    ambiguous: bool = False
    start: int = 0

    def iso(self, day_first: bool = True) -> str | None:
        month, day = (self.month, self.day)
        if self.ambiguous and not day_first:
            month, day = day, month
        try:
            return date(self.year, month, day).isoformat()
        except ValueError:
            return None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def dates(text: str) -> list[DateText]:
    """Every date in `text`, left to right. A slashed/dashed date keeps day first in
    `month`/`day` order as printed (a/b/y -> day=a, month=b) and says whether it could be
    read the other way round."""
    found: list[DateText] = []
    for m in _NUMERIC_DATE.finditer(text):
        a, sep, b, c = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if len(a) == 4:  # 2026-12-04, 2026/12/04
            if len(c) == 2 and sep != ".":
                found.append(DateText(int(a), b, int(c), start=m.start()))
            continue
        if len(a) > 2:
            continue
        day, year = int(a), _year(c)
        ambiguous = sep != "." and day <= 12 and b <= 12 and day != b
        if sep != "." and day <= 12 < b:  # 12/24/2026: only month first makes sense
            day, b = b, day
        found.append(DateText(year, b, day, ambiguous, m.start()))
    for m in _DAY_MONTH_YEAR.finditer(text):
        month = MONTHS.get(m.group(2).lower())
        if month:
            found.append(DateText(int(m.group(3)), month, int(m.group(1)), start=m.start()))
    for m in _MONTH_DAY_YEAR.finditer(text):
        month = MONTHS.get(m.group(1).lower())
        if month:
            found.append(DateText(int(m.group(3)), month, int(m.group(2)), start=m.start()))
    good = [d for d in found if 1990 <= d.year <= 2100 and d.iso() is not None]
    return sorted(good, key=lambda d: d.start)


def explicit_order(text: str) -> bool | None:
    """The document's own evidence on slashed/dashed dates: True when one of them can only
    be day first (31/12/2026), False when one can only be month first (12/31/2026), None
    when none of them settles it (or they disagree)."""
    evidence = set()
    for m in _NUMERIC_DATE.finditer(text):
        a, sep, b = int(m.group(1)), m.group(2), int(m.group(3))
        if sep == "." or len(m.group(1)) > 2:
            continue
        if a > 12 >= b:
            evidence.add(True)
        elif b > 12 >= a:
            evidence.add(False)
    return evidence.pop() if len(evidence) == 1 else None
