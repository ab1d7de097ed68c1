"""Generate the invoice corpus: `python -m tests.intake.corpus.invoices.generate`.

Writes train/ and heldout/, each with text-layer invoices (the split's own layouts, vendors
and label wordings in en, de, fr, es), scanned invoices (a page rendered at 150 DPI, tilted a
little, saved as an image-only PDF so the OCR path runs) and non-invoices (a letter, a
manual page, a quotation...), plus labels.json with the expected fields of each file.
Deterministic: the same seed gives the same files (reportlab's invariant mode).
"""

from __future__ import annotations

import io
import json
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from .layouts import HELDOUT_LAYOUTS, TRAIN_LAYOUTS, Doc
from .nondocs import NON_INVOICES
from .wording import CUSTOMERS, ITEMS, VENDORS, WORDS

HERE = Path(__file__).parent
PER_SPLIT = 44  # text-layer invoices
SCANS = 4  # scanned invoices, one per language
CURRENCY = {
    "GB": "GBP",
    "US": "USD",
    "CA": "CAD",
    "AU": "AUD",
    "DE": "EUR",
    "CH": "CHF",
    "FR": "EUR",
    "ES": "EUR",
    "MX": "MXN",
    "PE": "PEN",
}
TAX = {
    "GB": ["20"],
    "US": ["8.25", None],
    "CA": ["13"],
    "AU": ["10"],
    "DE": ["19", "7", None],
    "CH": ["8.1"],
    "FR": ["20", "10"],
    "ES": ["21", "10"],
    "MX": ["16"],
    "PE": ["18"],
}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}


def grouped(value: Decimal, group: str, dec: str) -> str:
    whole, cents = f"{abs(value):.2f}".split(".")
    parts = []
    while whole:
        parts.insert(0, whole[-3:])
        whole = whole[:-3]
    return ("-" if value < 0 else "") + group.join(parts) + dec + cents


def money_style(country: str, rng: random.Random):
    """A formatter of amounts as printed in `country`, and a note naming the currency when
    the amounts carry none."""
    code = CURRENCY[country]
    styles = {
        "US": [lambda v: "$" + grouped(v, ",", "."), lambda v: grouped(v, ",", ".") + " USD"],
        "GB": [lambda v: "£" + grouped(v, ",", "."), lambda v: "GBP " + grouped(v, ",", ".")],
        "CA": [lambda v: "C$" + grouped(v, ",", "."), lambda v: grouped(v, ",", ".") + " CAD"],
        "AU": [lambda v: "A$" + grouped(v, ",", "."), lambda v: "AUD " + grouped(v, ",", ".")],
        "DE": [
            lambda v: grouped(v, ".", ",") + " €",
            lambda v: "EUR " + grouped(v, ".", ","),
            lambda v: grouped(v, ".", ",") + " EUR",
        ],
        "CH": [lambda v: "CHF " + grouped(v, "'", "."), lambda v: grouped(v, "'", ".") + " CHF"],
        "FR": [
            lambda v: grouped(v, "\u00a0", ",") + " €",
            lambda v: grouped(v, " ", ",") + " €",
            lambda v: grouped(v, " ", ",") + " EUR",
        ],
        "ES": [lambda v: grouped(v, ".", ",") + " €", lambda v: grouped(v, ".", ",") + " EUR"],
        "MX": [lambda v: "$" + grouped(v, ",", ".") + " MXN"],
        "PE": [lambda v: "S/ " + grouped(v, ",", ".")],
    }[country]
    if rng.random() < 0.15 and country in ("DE", "ES", "GB"):
        return (lambda v: grouped(v, ",", ".") if country == "GB" else grouped(v, ".", ",")), {
            "en": f"All amounts in {code}.",
            "de": f"Alle Beträge in {code}.",
            "es": f"Importes en {code}.",
        }[{"GB": "en", "DE": "de", "ES": "es"}[country]]
    extra = "Moneda: soles (PEN)." if country == "PE" else ""
    return rng.choice(styles), extra


def date_style(lang: str, country: str, rng: random.Random):
    months = MONTHS[lang].split()

    def long(d: date) -> str:
        m = months[d.month - 1]
        if lang == "en":
            return f"{m} {d.day}, {d.year}" if country in ("US", "CA") else f"{d.day} {m} {d.year}"
        if lang == "de":
            return f"{d.day}. {m} {d.year}"
        if lang == "fr":
            return f"{'1er' if d.day == 1 else d.day} {m} {d.year}"
        return f"{d.day} de {m} de {d.year}"

    options = {
        "US": [lambda d: d.strftime("%m/%d/%Y"), long, lambda d: d.strftime("%b %d, %Y")],
        "CA": [lambda d: d.isoformat(), long],
        "GB": [lambda d: d.strftime("%d/%m/%Y"), long, lambda d: d.strftime("%d-%b-%Y")],
        "AU": [lambda d: d.strftime("%d/%m/%Y"), long],
        "DE": [lambda d: d.strftime("%d.%m.%Y"), long, lambda d: d.isoformat()],
        "CH": [lambda d: d.strftime("%d.%m.%Y"), long],
        "FR": [lambda d: d.strftime("%d/%m/%Y"), long],
        "ES": [lambda d: d.strftime("%d/%m/%Y"), long, lambda d: d.strftime("%d-%m-%Y")],
        "MX": [lambda d: d.strftime("%d/%m/%Y"), long],
        "PE": [lambda d: d.strftime("%d/%m/%Y"), long],
    }[country]
    return rng.choice(options)


def invoice_number(rng: random.Random, issued: date) -> str:
    n = rng.randint(1, 9999)
    return rng.choice(
        [
            f"INV-{issued.year}-{n:04d}",
            f"{issued.year}-{n:03d}",
            f"RE-{10000 + n}",
            f"F{issued.year}/{n:04d}",
            f"FA-{n:05d}",
            f"A{n}",
            f"{issued.year}{n:05d}",
        ]
    )


def make_doc(split: str, lang: str, index: int, rng: random.Random) -> Doc:
    vendor = VENDORS[split][lang][index % len(VENDORS[split][lang])]
    country = vendor[3]
    customer = rng.choice(CUSTOMERS[split][lang])
    # Days up to 12 half of the time: slashed dates are then ambiguous.
    issued = date(
        rng.choice([2025, 2026, 2027]),
        rng.randint(1, 12),
        rng.randint(1, 12) if rng.random() < 0.5 else rng.randint(13, 28),
    )
    due = issued + timedelta(days=rng.choice([14, 30, 30, 45])) if rng.random() < 0.8 else None
    items = [
        (
            desc,
            rng.choice([1, 1, 2, 3, 5, 10, 12]),
            Decimal(rng.choice([rng.randint(5, 99), rng.randint(100, 2500)]))
            + Decimal(rng.choice([0, 50, 99, 25, 0])) / 100,
        )
        for desc in rng.sample(ITEMS[lang], rng.randint(1, 5))
    ]
    money, extra = money_style(country, rng)
    size = LETTER if country in ("US", "CA") else A4
    return Doc(
        lang=lang,
        words=rng.choice(WORDS[split][lang]),
        vendor=vendor,
        customer=customer,
        number=invoice_number(rng, issued),
        issued=issued,
        due=due,
        items=items,
        rate=rng.choice(TAX[country]),
        money=money,
        day=date_style(lang, country, rng),
        font=rng.choice(["Helvetica", "Helvetica", "Times-Roman"]),
        width=size[0],
        height=size[1],
        extra=extra,
    )


def expected(d: Doc) -> dict[str, str | None]:
    return {
        "invoice_number": d.number,
        "invoice_date": d.issued.isoformat(),
        "due_date": d.due.isoformat() if d.due else None,
        "total": f"{d.total:.2f}",
        "tax": f"{d.tax:.2f}" if d.tax is not None else None,
        "currency": CURRENCY[d.vendor[3]],
        "vendor": d.vendor[0],
    }


def draw(d: Doc, layout) -> bytes:
    out = io.BytesIO()
    c = Canvas(out, pagesize=(d.width, d.height), invariant=1, pageCompression=1)
    c.setTitle("")
    layout(c, d)
    c.showPage()
    c.save()
    return out.getvalue()


def scan(pdf: bytes, rng: random.Random) -> bytes:
    """The page as a scanner would give it: 150 DPI, slightly tilted, grey JPEG or 1-bit."""
    import pypdfium2 as pdfium
    from PIL import Image

    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    image = image.rotate(rng.uniform(-0.8, 0.8), resample=Image.BICUBIC, fillcolor=255)
    out = io.BytesIO()
    fixed = time.strptime("2026-01-01", "%Y-%m-%d")  # Pillow would write the current time
    when = {"creationDate": fixed, "modDate": fixed}
    if rng.random() < 0.5:
        image.save(out, "PDF", resolution=150, quality=50, **when)
    else:
        bitonal = image.point(lambda v: 255 if v > 160 else 0).convert("1")
        bitonal.save(out, "PDF", resolution=150, **when)
    return out.getvalue()


def generate(split: str, seed: int) -> None:
    rng = random.Random(seed)
    folder = HERE / split
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.pdf"):
        old.unlink()
    layouts = TRAIN_LAYOUTS if split == "train" else HELDOUT_LAYOUTS
    names = list(layouts)
    langs = ["en", "de", "fr", "es"]
    labels: dict[str, dict] = {}
    for i in range(PER_SPLIT + SCANS):
        is_scan = i >= PER_SPLIT
        lang = langs[i % 4]
        layout = names[(i // 4 + i) % len(names)]
        d = make_doc(split, lang, i // 4, rng)
        pdf = draw(d, layouts[layout])
        name = f"{'scan' if is_scan else 'inv'}-{i:02d}-{lang}-{layout}.pdf"
        (folder / name).write_bytes(scan(pdf, rng) if is_scan else pdf)
        labels[name] = {
            "kind": "invoice",
            "language": lang,
            "layout": layout,
            "scan": is_scan,
            "fields": expected(d),
        }
    for name, (lang, make) in NON_INVOICES[split].items():
        (folder / f"{name}.pdf").write_bytes(make())
        labels[f"{name}.pdf"] = {
            "kind": "pdf",
            "language": lang,
            "layout": name,
            "scan": False,
            "fields": {},
        }
    (folder / "labels.json").write_text(
        json.dumps(labels, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    )


if __name__ == "__main__":
    generate("train", 20261204)
    generate("heldout", 99120426)
