"""Invoice page layouts for the corpus, drawn with reportlab.

TRAIN_LAYOUTS and HELDOUT_LAYOUTS share no function: held-out pages put the issuer, the
labels and the totals in places the train pages never do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.colors import Color, white
from reportlab.pdfgen.canvas import Canvas

GREY = Color(0.92, 0.92, 0.92)
DARK = Color(0.15, 0.2, 0.3)


@dataclass
class Doc:
    """One invoice's content; `money` and `day` format as the vendor's country does."""

    lang: str
    words: dict[str, str]
    vendor: tuple[str, str, str, str]
    customer: tuple[str, str, str]
    number: str
    issued: date
    due: date | None
    items: list[tuple[str, int, Decimal]]
    rate: str | None  # "19", "8.1", or None (no tax on this invoice)
    money: Callable[[Decimal], str]
    day: Callable[[date], str]
    font: str
    width: float
    height: float
    extra: str = ""  # a line such as "All amounts in CAD."

    @property
    def subtotal(self) -> Decimal:
        return sum((q * u for _, q, u in self.items), Decimal("0")).quantize(Decimal("0.01"))

    @property
    def tax(self) -> Decimal | None:
        if self.rate is None:
            return None
        return (self.subtotal * Decimal(self.rate) / 100).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + (self.tax or Decimal("0"))

    def w(self, slot: str) -> str:
        rate = (self.rate or "").replace(".", "," if self.lang != "en" else ".")
        return self.words[slot].replace("{rate}", rate)

    @property
    def bold(self) -> str:
        return {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}.get(
            self.font, "Courier-Bold"
        )


def put(
    c: Canvas,
    x: float,
    y: float,
    s: str,
    size: float = 9,
    font: str = "Helvetica",
    align: str = "left",
) -> None:
    c.setFont(font, size)
    if align == "right":
        c.drawRightString(x, y, s)
    elif align == "center":
        c.drawCentredString(x, y, s)
    else:
        c.drawString(x, y, s)


def items_table(
    c: Canvas,
    d: Doc,
    x0: float,
    x1: float,
    y: float,
    grid: bool = False,
    header_fill: Color | None = None,
) -> float:
    """The line items; returns the y under the table."""
    span = x1 - x0
    cols = (x0 + 4, x0 + 0.62 * span, x0 + 0.8 * span, x1 - 4)
    if header_fill is not None:
        c.setFillColor(header_fill)
        c.rect(x0, y - 4, span, 15, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
    put(c, cols[0], y, d.w("desc"), 9, d.bold)
    put(c, cols[1], y, d.w("qty"), 9, d.bold, "right")
    put(c, cols[2], y, d.w("unit"), 9, d.bold, "right")
    put(c, cols[3], y, d.w("amount"), 9, d.bold, "right")
    top = y + 12
    y -= 18
    for desc, qty, unit in d.items:
        put(c, cols[0], y, desc, 9, d.font)
        put(c, cols[1], y, str(qty), 9, d.font, "right")
        put(c, cols[2], y, d.money(unit), 9, d.font, "right")
        put(c, cols[3], y, d.money(qty * unit), 9, d.font, "right")
        y -= 15
    if grid:
        c.setLineWidth(0.5)
        c.rect(x0, y + 9, span, top - y - 9)
        c.line(x0, top - 16, x1, top - 16)
    return y - 10


def totals(c: Canvas, d: Doc, xl: float, xr: float, y: float, size: float = 9) -> float:
    """Subtotal, tax, total as label ... value lines; returns the y under them."""
    rows = [(d.w("subtotal"), d.subtotal)]
    if d.tax is not None:
        rows.append((d.w("tax"), d.tax))
    for label, value in rows:
        put(c, xl, y, label, size, d.font)
        put(c, xr, y, d.money(value), size, d.font, "right")
        y -= 14
    put(c, xl, y, d.w("total"), size + 1, d.bold)
    put(c, xr, y, d.money(d.total), size + 1, d.bold, "right")
    return y - 20


def meta_lines(
    c: Canvas, d: Doc, xl: float, xr: float, y: float, colon: bool = True, align: str = "right"
) -> float:
    """Number, date, due date as label/value pairs on separate lines; values at `xr`."""
    sep = ":" if colon else ""
    pairs = [(d.w("number"), d.number), (d.w("date"), d.day(d.issued))]
    if d.due is not None:
        pairs.append((d.w("due"), d.day(d.due)))
    for label, value in pairs:
        put(c, xl, y, label + sep, 9, d.font)
        put(c, xr, y, value, 9, d.font, align)
        y -= 13
    return y


def address(
    c: Canvas,
    x: float,
    y: float,
    lines: tuple[str, ...],
    font: str,
    size: float = 9,
    align: str = "left",
) -> float:
    for line in lines:
        put(c, x, y, line, size, font, align)
        y -= size + 3
    return y


def footer(c: Canvas, d: Doc, y: float = 60) -> None:
    put(c, 50, y, d.w("terms"), 8, d.font)
    put(c, 50, y - 11, d.w("thanks"), 8, d.font)
    if d.extra:
        put(c, 50, y - 22, d.extra, 8, d.font)


# ---- train layouts -------------------------------------------------------------------------


def classic(c: Canvas, d: Doc) -> None:
    """Vendor top left, title top right, meta under the title, bill-to left."""
    top, right = d.height - 60, d.width - 50
    put(c, 50, top, d.vendor[0], 15, d.bold)
    address(c, 50, top - 16, d.vendor[1:3], d.font)
    put(c, right, top, d.w("title"), 20, d.bold, "right")
    meta_lines(c, d, right - 200, right, top - 40)
    put(c, 50, top - 90, d.w("bill_to") + ":", 9, d.bold)
    address(c, 50, top - 103, d.customer, d.font)
    y = items_table(c, d, 50, right, top - 170)
    totals(c, d, right - 200, right, y - 10)
    footer(c, d)


def letterhead(c: Canvas, d: Doc) -> None:
    """Vendor centred as a letterhead; meta as a row of labels above their values."""
    mid, top, right = d.width / 2, d.height - 55, d.width - 50
    put(c, mid, top, d.vendor[0], 18, d.bold, "center")
    put(c, mid, top - 15, f"{d.vendor[1]} · {d.vendor[2]}", 8, d.font, "center")
    c.line(50, top - 24, right, top - 24)
    put(c, mid, top - 50, d.w("title"), 16, d.bold, "center")
    xs = (50, 220, 390)
    pairs = [(d.w("number"), d.number), (d.w("date"), d.day(d.issued))]
    if d.due is not None:
        pairs.append((d.w("due"), d.day(d.due)))
    for x, (label, value) in zip(xs, pairs, strict=False):
        put(c, x, top - 80, label, 8, d.bold)
        put(c, x, top - 93, value, 9, d.font)
    put(c, 50, top - 125, d.w("bill_to"), 8, d.bold)
    address(c, 50, top - 138, d.customer, d.font)
    y = items_table(c, d, 50, right, top - 200, header_fill=GREY)
    totals(c, d, right - 190, right, y - 10)
    footer(c, d)


def two_column(c: Canvas, d: Doc) -> None:
    """Vendor left and customer right at the top; 'Label: value' meta; totals in a box."""
    top, right = d.height - 60, d.width - 50
    put(c, 50, top, d.vendor[0], 13, d.bold)
    address(c, 50, top - 14, d.vendor[1:3], d.font)
    put(c, 330, top, d.w("bill_to") + ":", 9, d.bold)
    address(c, 330, top - 14, d.customer, d.font)
    put(c, 50, top - 80, d.w("title"), 18, d.bold)
    y = top - 105
    for label, value in [(d.w("number"), d.number), (d.w("date"), d.day(d.issued))] + (
        [(d.w("due"), d.day(d.due))] if d.due else []
    ):
        put(c, 50, y, f"{label}: {value}", 9, d.font)
        y -= 13
    y = items_table(c, d, 50, right, y - 25, grid=True)
    c.rect(right - 210, y - 50, 210, 62)
    totals(c, d, right - 200, right - 8, y)
    footer(c, d)


def footer_vendor(c: Canvas, d: Doc) -> None:
    """A logo box with initials; the issuer only in the footer line."""
    top, right = d.height - 60, d.width - 50
    c.rect(50, top - 30, 60, 45)
    initials = "".join(w[0] for w in d.vendor[0].split()[:2]).upper()
    put(c, 80, top - 12, initials, 18, d.bold, "center")
    put(c, right, top, d.w("title"), 22, d.bold, "right")
    meta_lines(c, d, right - 190, right, top - 30)
    put(c, 50, top - 75, d.w("bill_to"), 9, d.bold)
    address(c, 50, top - 88, d.customer, d.font)
    y = items_table(c, d, 50, right, top - 160, header_fill=GREY)
    totals(c, d, right - 190, right, y - 10)
    footer(c, d, 95)
    c.line(50, 52, right, 52)
    line = f"{d.vendor[0]} · {d.vendor[1]} · {d.vendor[2]} · IBAN DE89 3704 0044 0532 0130 00"
    put(c, d.width / 2, 40, line, 7, d.font, "center")


def table_totals(c: Canvas, d: Doc) -> None:
    """Title top left, vendor right-aligned top right; totals as rows of the grid table."""
    top, right = d.height - 60, d.width - 50
    put(c, 50, top, d.w("title"), 20, d.bold)
    put(c, right, top, d.vendor[0], 12, d.bold, "right")
    address(c, right, top - 14, d.vendor[1:3], d.font, 8, "right")
    y = meta_lines(c, d, 50, 160, top - 40, align="left")
    put(c, 330, top - 60, d.w("bill_to"), 9, d.bold)
    address(c, 330, top - 73, d.customer, d.font)
    y = items_table(c, d, 50, right, min(y, top - 120) - 30, grid=True)
    unit_x, amount_x = 50 + 0.8 * (right - 50), right - 4
    rows = [(d.w("subtotal"), d.subtotal)] + ([(d.w("tax"), d.tax)] if d.tax else [])
    for label, value in rows:
        put(c, unit_x, y, label, 9, d.font, "right")
        put(c, amount_x, y, d.money(value), 9, d.font, "right")
        y -= 14
    put(c, unit_x, y, d.w("total"), 10, d.bold, "right")
    put(c, amount_x, y, d.money(d.total), 10, d.bold, "right")
    c.rect(unit_x - 120, y - 5, right - unit_x + 120, 14 * (len(rows) + 1) + 2)
    footer(c, d)


def compact(c: Canvas, d: Doc) -> None:
    """One column of 'Label: value' lines in a monospaced font, like a receipt printer."""
    y, f = d.height - 60, "Courier"
    for line in (d.vendor[0], d.vendor[1], d.vendor[2], "", d.w("title"), ""):
        put(c, 60, y, line, 10, f)
        y -= 13
    for label, value in [(d.w("number"), d.number), (d.w("date"), d.day(d.issued))] + (
        [(d.w("due"), d.day(d.due))] if d.due else []
    ):
        put(c, 60, y, f"{label + ':':<22}{value}", 10, f)
        y -= 13
    y -= 13
    put(c, 60, y, d.w("bill_to") + ":", 10, f)
    y = address(c, 60, y - 13, d.customer, f, 10) - 13
    for desc, qty, unit in d.items:
        put(c, 60, y, f"{qty} x {desc}", 10, f)
        put(c, 420, y, d.money(qty * unit), 10, f, "right")
        y -= 13
    y -= 13
    rows = [(d.w("subtotal"), d.subtotal)] + ([(d.w("tax"), d.tax)] if d.tax else [])
    for label, value in [*rows, (d.w("total"), d.total)]:
        put(c, 60, y, label + ":", 10, f)
        put(c, 420, y, d.money(value), 10, f, "right")
        y -= 13
    footer(c, d, y - 20)


TRAIN_LAYOUTS = {
    "classic": classic,
    "letterhead": letterhead,
    "two_column": two_column,
    "footer_vendor": footer_vendor,
    "table_totals": table_totals,
    "compact": compact,
}


# ---- held-out layouts ----------------------------------------------------------------------


def sidebar(c: Canvas, d: Doc) -> None:
    """A grey sidebar with the issuer under a 'From' label; meta labels above values."""
    c.setFillColor(GREY)
    c.rect(0, 0, 175, d.height, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    top, right = d.height - 70, d.width - 40
    put(c, 25, top, d.w("from"), 8, d.bold)
    put(c, 25, top - 14, d.vendor[0], 10, d.bold)
    address(c, 25, top - 28, d.vendor[1:3], d.font, 8)
    put(c, 25, top - 70, "billing@" + d.vendor[0].split()[0].lower() + ".example", 7, d.font)
    put(c, 200, top, d.w("title"), 24, d.bold)
    pairs = [(d.w("number"), d.number), (d.w("date"), d.day(d.issued))]
    if d.due:
        pairs.append((d.w("due"), d.day(d.due)))
    for i, (label, value) in enumerate(pairs):
        put(c, 200 + i * 125, top - 40, label, 8, d.bold)
        put(c, 200 + i * 125, top - 53, value, 10, d.font)
    put(c, 200, top - 90, d.w("bill_to"), 8, d.bold)
    address(c, 200, top - 103, d.customer, d.font)
    y = items_table(c, d, 195, right, top - 170)
    totals(c, d, right - 180, right, y - 10)
    put(c, 200, 70, d.w("thanks"), 8, d.font)
    put(c, 200, 59, d.w("terms"), 8, d.font)
    if d.extra:
        put(c, 200, 48, d.extra, 8, d.font)


def banner(c: Canvas, d: Doc) -> None:
    """A dark banner with the title; a four-column header table (labels above values)
    ending with the total; the customer on the right; the amount due large at the end."""
    top, right = d.height - 40, d.width - 45
    c.setFillColor(DARK)
    c.rect(0, top - 30, d.width, 55, stroke=0, fill=1)
    c.setFillColor(white)
    put(c, 45, top - 8, d.w("title").upper(), 22, d.bold)
    c.setFillColorRGB(0, 0, 0)
    put(c, 45, top - 60, d.vendor[0], 11, d.bold)
    address(c, 45, top - 73, d.vendor[1:3], d.font, 8)
    put(c, 340, top - 60, d.w("bill_to"), 8, d.bold)
    address(c, 340, top - 73, d.customer, d.font, 8)
    cells = [(d.w("number"), d.number), (d.w("date"), d.day(d.issued))]
    cells.append((d.w("due"), d.day(d.due)) if d.due else ("", ""))
    cells.append((d.w("total"), d.money(d.total)))
    width = (right - 45) / 4
    c.rect(45, top - 160, right - 45, 36)
    for i, (label, value) in enumerate(cells):
        put(c, 50 + i * width, top - 136, label, 7, d.bold)
        put(c, 50 + i * width, top - 152, value, 10, d.font)
    y = items_table(c, d, 45, right, top - 195, header_fill=GREY)
    rows = [(d.w("subtotal"), d.subtotal)] + ([(d.w("tax"), d.tax)] if d.tax else [])
    for label, value in rows:
        put(c, right - 150, y, label, 8, d.font, "right")
        put(c, right, y, d.money(value), 8, d.font, "right")
        y -= 13
    put(c, right - 150, y - 14, d.w("total").upper(), 12, d.bold, "right")
    put(c, right, y - 14, d.money(d.total), 16, d.bold, "right")
    put(c, 45, 60, d.w("terms"), 7, d.font)
    if d.extra:
        put(c, 45, 50, d.extra, 7, d.font)


def from_to(c: Canvas, d: Doc) -> None:
    """'From' and 'Billed to' blocks side by side; dates in one sentence line; the totals
    on one line at the bottom."""
    top, right = d.height - 60, d.width - 50
    put(c, 50, top, d.w("title"), 18, d.bold)
    put(c, right, top, f"{d.w('number')} {d.number}", 10, d.bold, "right")
    put(c, 50, top - 45, d.w("from"), 8, d.bold)
    address(c, 50, top - 58, (d.vendor[0], *d.vendor[1:3]), d.font)
    put(c, 310, top - 45, d.w("bill_to"), 8, d.bold)
    address(c, 310, top - 58, d.customer, d.font)
    when = f"{d.w('date')}: {d.day(d.issued)}"
    if d.due:
        when += f" / {d.w('due')}: {d.day(d.due)}"
    put(c, 50, top - 115, when, 9, d.font)
    y = items_table(c, d, 50, right, top - 150)
    c.line(50, y, right, y)
    parts = [(d.w("subtotal"), d.subtotal)] + ([(d.w("tax"), d.tax)] if d.tax else [])
    x = 50.0
    for label, value in parts:
        put(c, x, y - 18, f"{label} {d.money(value)}", 9, d.font)
        x += 160
    put(c, right, y - 18, f"{d.w('total')} {d.money(d.total)}", 10, d.bold, "right")
    footer(c, d)


def right_head(c: Canvas, d: Doc) -> None:
    """Issuer right-aligned at the top right; title and meta on the left; the customer in a
    framed box; bank details with the account holder at the bottom."""
    top, right = d.height - 55, d.width - 50
    put(c, right, top, d.vendor[0], 12, d.bold, "right")
    address(c, right, top - 14, d.vendor[1:3], d.font, 8, "right")
    put(c, 50, top - 10, d.w("title"), 20, d.font)
    meta_lines(c, d, 50, 160, top - 40, colon=False, align="left")
    c.rect(320, top - 125, right - 320, 58)
    put(c, 328, top - 78, d.w("bill_to"), 8, d.bold)
    address(c, 328, top - 92, d.customer, d.font)
    y = items_table(c, d, 50, right, top - 170, grid=True)
    totals(c, d, right - 220, right, y - 12, 10)
    holder = {
        "en": "Account holder",
        "de": "Kontoinhaber",
        "fr": "Titulaire du compte",
        "es": "Titular",
    }[d.lang]
    put(c, 50, 90, f"{holder}: {d.vendor[0]}   IBAN GB33 BUKB 2020 1555 5555 55", 8, d.font)
    footer(c, d, 70)


HELDOUT_LAYOUTS = {
    "sidebar": sidebar,
    "banner": banner,
    "from_to": from_to,
    "right_head": right_head,
}
