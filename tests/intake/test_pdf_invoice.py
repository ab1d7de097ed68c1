"""PDF text and invoice fields: tricky values, odd and hostile PDFs, OCR missing, and the
held-out corpus as a regression guard (bench/quality_invoices.py prints the full report)."""

from __future__ import annotations

import io
import shutil
import time
import zlib
from pathlib import Path

import pytest

from services.intake.extract import Limits, Refused
from services.intake.extract import invoice_values as values
from services.intake.extract.invoice import read_invoice
from services.intake.extract.pdf import extract_pdf, read_pdf, render_page

CORPUS = Path(__file__).parent / "corpus" / "invoices"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="no tesseract")


# ---- amounts and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("1.234,56", "1234.56", None),
        ("1,234.56", "1234.56", None),
        ("1 234,56", "1234.56", None),
        ("1\u00a0234,56 €", "1234.56", "EUR"),
        ("1\u202f234,56", "1234.56", None),
        ("1'234.56", "1234.56", None),
        ("CHF 1'234.50", "1234.50", "CHF"),
        ("€1,234.56", "1234.56", "EUR"),
        ("1.234,56 €", "1234.56", "EUR"),
        ("EUR 1.234,56", "1234.56", "EUR"),
        ("£12.00", "12.00", "GBP"),
        ("$ 1,000,000.00", "1000000.00", "USD"),
        ("C$2,455.50", "2455.50", "CAD"),
        ("1234.56 USD", "1234.56", "USD"),
        ("12345,00", "12345.00", None),
        ("-45.10 GBP", "-45.10", "GBP"),
    ],
)
def test_amount_formats(text: str, value: str, currency: str | None) -> None:
    found = values.amounts(text)
    assert len(found) == 1, found
    assert values.money(found[0].value) == value
    assert found[0].currency == currency


@pytest.mark.parametrize("text", ["19 %", "19,00 %", "7.5%", "1.234.56", "12", "2026", "1,2"])
def test_not_amounts(text: str) -> None:
    assert values.amounts(text) == []


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("04.12.2026", "2026-12-04"),
        ("4.12.26", "2026-12-04"),
        ("2026-12-04", "2026-12-04"),
        ("2026/12/04", "2026-12-04"),
        ("4 December 2026", "2026-12-04"),
        ("December 4, 2026", "2026-12-04"),
        ("Dec 4, 2026", "2026-12-04"),
        ("04-Dec-2026", "2026-12-04"),
        ("4th December 2026", "2026-12-04"),
        ("4. Dezember 2026", "2026-12-04"),
        ("4. März 2026", "2026-03-04"),
        ("4 décembre 2026", "2026-12-04"),
        ("1er décembre 2026", "2026-12-01"),
        ("4 de diciembre de 2026", "2026-12-04"),
        ("24/12/2026", "2026-12-24"),  # only day first makes sense
        ("12/24/2026", "2026-12-24"),  # only month first makes sense
    ],
)
def test_date_formats(text: str, iso: str) -> None:
    found = values.dates(text)
    assert [d.iso() for d in found] == [iso]
    assert not found[0].ambiguous


def test_slashed_dates_are_ambiguous_until_the_document_says() -> None:
    (d,) = values.dates("12/04/2026")
    assert d.ambiguous
    assert (d.iso(day_first=True), d.iso(day_first=False)) == ("2026-04-12", "2026-12-04")
    assert values.explicit_order("12/04/2026 and 13/04/2026") is True
    assert values.explicit_order("12/04/2026 and 04/13/2026") is False
    assert values.explicit_order("13/04/2026 and 04/13/2026") is None  # they disagree
    assert values.explicit_order("13.04.2026 and 2026-04-13") is None  # unambiguous kinds


def invoice_text(date: str, due: str, amount: str, extra: str = "", lang: str = "en") -> str:
    words = {
        "en": ("INVOICE", "Invoice No.", "Date", "Due date", "Total"),
        "de": ("RECHNUNG", "Rechnungsnummer", "Datum", "Fällig am", "Gesamtbetrag"),
    }[lang]
    return (
        f"Acme Widgets Ltd                          {words[0]}\n"
        f"                                          {words[1]}:   A-17\n"
        f"                                          {words[2]}:   {date}\n"
        f"                                          {words[3]}:   {due}\n\n"
        f"Widgets                                   {amount}\n"
        f"                                          {words[4]}   {amount}\n{extra}"
    )


@pytest.mark.parametrize(
    ("text", "issued", "due"),
    [
        # 1. another date in the document that reads one way only
        (
            invoice_text("03/04/2026", "05/04/2026", "$10.00", "Delivered 13/03/2026"),
            "2026-04-03",
            "2026-04-05",
        ),
        (
            invoice_text("03/04/2026", "05/04/2026", "£10.00", "Delivered 03/13/2026"),
            "2026-03-04",
            "2026-05-04",
        ),
        # 2. the language
        (
            invoice_text("03/04/2026", "05/04/2026", "10,00 $", lang="de"),
            "2026-04-03",
            "2026-04-05",
        ),
        # 3. the due date falls after the invoice date in one reading only
        (invoice_text("10/12/2026", "09/01/2027", "$10.00"), "2026-12-10", "2027-01-09"),
        # 4. the currency: US dollars month first, pounds day first
        (invoice_text("03/04/2026", "05/04/2026", "$10.00"), "2026-03-04", "2026-05-04"),
        (invoice_text("03/04/2026", "05/04/2026", "£10.00"), "2026-04-03", "2026-04-05"),
    ],
)
def test_day_or_month_first_from_the_documents_evidence(text: str, issued: str, due: str) -> None:
    found = read_invoice(text)
    assert found is not None
    assert (found.invoice_date, found.due_date) == (issued, due)


# ---- invoices in text ----------------------------------------------------------------------


def test_vendor_is_the_issuer_not_the_customer() -> None:
    text = (
        "Bill to:                                  INVOICE\n"
        "Greenfield Retail Ltd                     Invoice No.: 2026-77\n"
        "5 Station Road                            Date: 4 December 2026\n"
        "Oxford OX1 1AA\n\n"
        "Consulting                                £1,000.00\n"
        "Total                                     £1,200.00\n\n"
        "Brightline Analytics Ltd · 14 Canal Street · Manchester M1 3HE · VAT GB123456789\n"
    )
    found = read_invoice(text)
    assert found is not None
    assert found.vendor == "Brightline Analytics Ltd"
    assert (found.total, found.currency, found.invoice_number) == ("1200.00", "GBP", "2026-77")


@pytest.mark.parametrize(
    ("label", "vendor"),
    [
        ("Rechnung an", "Nordlicht Design GmbH"),
        ("Facturer à", "Nordlicht Design GmbH"),
        ("Facturar a", "Nordlicht Design GmbH"),
    ],
)
def test_customer_block_labels_in_each_language(label: str, vendor: str) -> None:
    text = (
        f"{label}:                               Nordlicht Design GmbH\n"
        "Kunde AG                                  Hauptstraße 5, 10115 Berlin\n"
        "Weg 3, 80331 München\n\n"
        "RECHNUNG\nRechnungsnummer: RE-1\nDatum: 04.12.2026\n\n"
        "Gesamtbetrag                              1.190,00 €\n"
    )
    found = read_invoice(text)
    assert found is not None and found.vendor == vendor


def test_from_label_names_the_vendor() -> None:
    text = (
        "Invoice\n\nFrom:                       Billed to:\n"
        "Fennel & Sage Catering      Silver Birch Hotels Ltd\n"
        "27 Orchard Road             2 Abbey Road\n\n"
        "Invoice # 2026-5\nAmount due   £450.00\n"
    )
    found = read_invoice(text)
    assert found is not None and found.vendor == "Fennel & Sage Catering"


@pytest.mark.parametrize(
    ("text", "total", "tax"),
    [
        (
            "FACTURE\nTotal HT   1 000,00 €\nTVA 20 %   200,00 €\nTotal TTC   1 200,00 €\n",
            "1200.00",
            "200.00",
        ),
        (
            "FACTURA Nº 7\nBase imponible   100,00 €\nIVA 21%   21,00 €\nTotal   121,00 €\n",
            "121.00",
            "21.00",
        ),
        (
            "INVOICE\nSubtotal   $90.00\nSales tax (8.25%)   $7.43\nTotal due   $97.43\n",
            "97.43",
            "7.43",
        ),
        (
            "RECHNUNG\nNetto 7 %   100,00 €\nNetto 19 %   100,00 €\nMwSt. 7 %   7,00 €\n"
            "MwSt. 19 %   19,00 €\nGesamtbetrag   226,00 €\n",
            "226.00",
            "26.00",
        ),
        (
            "INVOICE\nVAT 5%   5.00\nVAT 20%   20.00\nTotal VAT   25.00\nTotal due   125.00\n",
            "125.00",
            "25.00",
        ),
        (
            "RECHNUNG\nNettobetrag   100,00 €\nzzgl. 19 % MwSt.   19,00 €\n"
            "Gesamtbetrag inkl. MwSt.   119,00 €\n",
            "119.00",
            "19.00",
        ),
    ],
)
def test_total_and_tax_labels(text: str, total: str, tax: str) -> None:
    found = read_invoice(text)
    assert found is not None
    assert (found.total, found.tax) == (total, tax)


def test_nfkc_numero_sign() -> None:
    found = read_invoice(
        "Factura\nNº factura: F-2026/17\nFecha: 4 de diciembre de 2026\nTotal   121,00 €\n"
    )
    assert found is not None
    assert (found.invoice_number, found.invoice_date) == ("F-2026/17", "2026-12-04")


REALISTIC = {
    "stripe": """Invoice
Invoice number    ABCD1234-0001
Date of issue     December 4, 2026
Date due          January 3, 2027

Acme Inc.                          Bill to
510 Townsend Street                Jane Doe
San Francisco, California 94103    jane@example.com
United States

$120.00 USD due January 3, 2027

Description          Qty    Unit price    Amount
Pro plan             1      $100.00       $100.00

Subtotal                                  $100.00
Tax (20%)                                 $20.00
Total                                     $120.00
Amount due                                $120.00 USD
""",
    "stadtwerke": """Stadtwerke Musterstadt GmbH · Postfach 12 34 · 12345 Musterstadt

Herrn
Max Mustermann                         Kundennummer:      123456789
Musterweg 1                            Rechnungsnummer:   2026/000123
12345 Musterstadt                      Datum:             04.12.2026

Rechnung

Stromlieferung 01.11.2026 - 30.11.2026
Nettobetrag                                   100,00 EUR
Umsatzsteuer 19 %                              19,00 EUR
Rechnungsbetrag                               119,00 EUR

Der Betrag wird am 18.12.2026 von Ihrem Konto abgebucht.
""",
    "sarl": """SARL Le Petit Atelier
3 rue des Fleurs, 75002 Paris
SIRET 123 456 789 00012

FACTURE N° 2026-045
Date : 4 décembre 2026
Client : Mme Dupont, 8 avenue Foch, 75016 Paris

Désignation                 Qté     Prix       Montant
Reliure                     2       50,00 €    100,00 €

Total HT                                       100,00 €
TVA (20 %)                                      20,00 €
Total TTC                                      120,00 €
Conditions de paiement : 30 jours
""",
    "es": """Talleres Hermanos García S.L.
CIF B12345678 - Calle Toledo 5 - 28005 Madrid

FACTURA
Número: F-2026-45
Fecha: 04/12/2026
Cliente: Juan Pérez

Concepto                       Importe
Reparación                     200,00 €
Base imponible                 200,00 €
IVA 21%                         42,00 €
TOTAL                          242,00 €
""",
    "de_nr": """Malerbetrieb Schneider
Inh. Klaus Schneider · Lindenweg 4 · 34119 Kassel

Herrn Peter Lang, Gartenstraße 9, 34117 Kassel

Rechnung Nr. 2026-17                             Kassel, 4. Dezember 2026

Pos.  Leistung                          Betrag
1     Anstrich Wohnzimmer               800,00 €
Summe netto                             800,00 €
MwSt. 19 %                              152,00 €
Gesamtsumme                             952,00 €
Zahlbar bis 18.12.2026 ohne Abzug.
""",
    "en_uk": """                                        TAX INVOICE
Pemberton & Clarke Solicitors LLP
12 High Street, Guildford GU1 3AA
VAT Reg. No. GB 123 4567 89

Invoice to: Mr A. Smith, 4 Park Lane, Woking GU21 5XX

Invoice date: 04/12/2026        Invoice no: PC/2026/311
Payment due: 03/01/2027

Professional fees                         £500.00
VAT @ 20%                                 £100.00
Total payable                             £600.00
""",
}

REALISTIC_FIELDS = {
    "stripe": ("ABCD1234-0001", "2026-12-04", "2027-01-03", "120.00", "20.00", "USD", "Acme Inc."),
    "stadtwerke": (
        "2026/000123",
        "2026-12-04",
        None,
        "119.00",
        "19.00",
        "EUR",
        "Stadtwerke Musterstadt GmbH",
    ),
    "sarl": ("2026-045", "2026-12-04", None, "120.00", "20.00", "EUR", "SARL Le Petit Atelier"),
    "es": (
        "F-2026-45",
        "2026-12-04",
        None,
        "242.00",
        "42.00",
        "EUR",
        "Talleres Hermanos García S.L.",
    ),
    "de_nr": (
        "2026-17",
        "2026-12-04",
        "2026-12-18",
        "952.00",
        "152.00",
        "EUR",
        "Malerbetrieb Schneider",
    ),
    "en_uk": (
        "PC/2026/311",
        "2026-12-04",
        "2027-01-03",
        "600.00",
        "100.00",
        "GBP",
        "Pemberton & Clarke Solicitors LLP",
    ),
}


@pytest.mark.parametrize("name", sorted(REALISTIC))
def test_realistic_invoice_texts(name: str) -> None:
    """Texts shaped like common real invoices (a payment service's, a utility's letter with
    the sender line over the address window, a French SARL, a Spanish workshop, a German
    tradesman's with its owner "Inh.", a UK solicitor's)."""
    found = read_invoice(REALISTIC[name])
    assert found is not None
    got = (
        found.invoice_number,
        found.invoice_date,
        found.due_date,
        found.total,
        found.tax,
        found.currency,
        found.vendor,
    )
    assert got == REALISTIC_FIELDS[name]


@pytest.mark.parametrize(
    "text",
    [
        "Dear Ms Patel,\nThank you for your order. Your invoice was paid.\nKind regards\n",
        "ANGEBOT\nAngebotsnummer: AN-4\nDatum: 03.02.2026\nGesamtbetrag   1.814,75 €\n",
        "DEVIS n° D-31\nDate : 15/06/2026\nTotal TTC   1 595,00 €\n",
        "Chapter 3\nTotal length   410.00 mm\n",
        "",
    ],
)
def test_not_invoices(text: str) -> None:
    assert read_invoice(text) is None


@pytest.mark.parametrize(
    "hostile",
    [
        "1" * 200_000,
        "1.1," * 50_000,
        "1 " * 100_000,
        ("Total " * 20 + "\n") * 1_600,
        "12/" * 66_000,
        "a" * 200_000,
        ("Rechnung an:  " + " " * 300 + "x\n") * 600,
        "€1" * 100_000,
        "de " * 66_000 + "2026",
        ("    ".join(["Invoice No.", "INVOICE", "1,00"]) + "\n") * 8_000,
    ],
)
def test_hostile_text_stays_linear(hostile: str) -> None:
    start = time.perf_counter()
    read_invoice(hostile)
    values.amounts(hostile)
    values.dates(hostile)
    assert time.perf_counter() - start < 5.0


# ---- PDFs ----------------------------------------------------------------------------------


def tiny_pdf(content: bytes, media: str = "0 0 595 842", pages: int = 1) -> bytes:
    """A minimal PDF written by hand (reportlab cannot make some of these)."""
    stream = zlib.compress(content)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [{media}] /Resources << /Font << /F1 3 0 R"
            f" >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
            + stream
            + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode())
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_corrupt_bytes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="not a readable PDF"):
        read_pdf(write(tmp_path, "x.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100))
    with pytest.raises(Refused, match="not a readable PDF"):
        read_pdf(write(tmp_path, "y.pdf", b""))


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    c = Canvas(out, encrypt=StandardEncryption("secret", canPrint=0))
    c.drawString(50, 800, "INVOICE Total 10.00")
    c.save()
    with pytest.raises(Refused, match="encrypted with a password"):
        read_pdf(write(tmp_path, "enc.pdf", out.getvalue()))


def test_owner_password_only_opens_and_bytes_work(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    c = Canvas(out, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    c.drawString(50, 800, "Readable without a password")
    c.save()
    assert "Readable without a password" in read_pdf(write(tmp_path, "o.pdf", out.getvalue())).text
    assert "Readable without a password" in read_pdf(out.getvalue()).text
    with pytest.raises(Refused, match="not a readable PDF"):
        read_pdf(b"not a pdf at all")


def test_zero_pages_is_refused(tmp_path: Path) -> None:
    data = tiny_pdf(b"", pages=0)
    with pytest.raises(Refused, match=r"no pages|not a readable PDF"):
        read_pdf(write(tmp_path, "zero.pdf", data))


def test_pages_and_text_are_capped(tmp_path: Path) -> None:
    line = b"BT /F1 12 Tf 50 700 Td (INVOICE page text that goes on) Tj ET\n"
    path = write(tmp_path, "five.pdf", tiny_pdf(line, pages=5))
    result = read_pdf(path, Limits(max_pages=2))
    assert (len(result.pages), result.page_count) == (2, 5)
    assert "read 2 of 5 pages" in result.notes
    capped = read_pdf(path, Limits(max_text_chars=40))
    assert len(capped.text) <= 40 + 2 * 4  # page separators
    assert any("text capped" in note for note in capped.notes)


def test_a_page_of_100000_tiny_text_objects_is_capped(tmp_path: Path) -> None:
    content = b"".join(
        b"BT /F1 1 Tf %d %d Td (x) Tj ET\n" % (10 + (i % 500), 10 + (i // 500) * 4)
        for i in range(100_000)
    )
    path = write(tmp_path, "tiny.pdf", tiny_pdf(content))
    start = time.perf_counter()
    result = read_pdf(path, Limits(max_text_chars=20_000))
    assert time.perf_counter() - start < 30
    assert len(result.text) <= 20_000
    assert result.has_text_layer
    assert any("text capped" in note for note in result.notes)


def test_a_huge_page_is_rendered_within_the_pixel_cap(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    path = write(tmp_path, "huge.pdf", tiny_pdf(b"", media="0 0 14400 14400"))
    pdf = pdfium.PdfDocument(str(path))
    image, dpi = render_page(pdf[0], 300, 2_000_000)
    assert image.width * image.height <= 2_000_000
    assert dpi < 10  # 200 x 200 inches in 2 MP


@needs_tesseract
def test_a_huge_blank_scan_is_ocrd_within_caps(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.pdf", tiny_pdf(b"", media="0 0 14400 14400"))
    result = read_pdf(path, Limits(max_pixels=1_000_000))
    assert not result.has_text_layer
    assert result.ocr_pages == 1


def test_ocr_unavailable_is_skipped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    scan = next((CORPUS / "train").glob("scan-*.pdf"))
    result = read_pdf(scan)
    assert not result.has_text_layer and result.ocr_pages == 0
    assert "OCR skipped: Tesseract is not installed" in result.notes
    extraction = extract_pdf(scan)
    assert extraction.kind == "pdf" and extraction.fields == {"pages": 1}
    assert "OCR skipped: Tesseract is not installed" in extraction.notes


@needs_tesseract
def test_max_ocr_pages(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.pdf", tiny_pdf(b"", pages=3))
    result = read_pdf(path, Limits(max_ocr_pages=1))
    assert result.ocr_pages == 1
    assert "OCR of 1 of 3 pages without text" in result.notes


def test_layout_keeps_labels_beside_values() -> None:
    text = read_pdf(CORPUS / "train" / "inv-00-en-classic.pdf").text
    line = next(line for line in text.splitlines() if "Invoice No." in line)
    assert line.split()[-1] == "2026-6342"


def test_extract_pdf_kinds() -> None:
    invoice = extract_pdf(CORPUS / "train" / "inv-01-de-letterhead.pdf")
    assert invoice.kind == "invoice"
    assert invoice.fields["vendor"] == "Nordlicht Design GmbH"
    assert invoice.fields["pages"] == 1
    letter = extract_pdf(CORPUS / "train" / "letter-en.pdf")
    assert letter.kind == "pdf" and letter.fields == {"pages": 1}
    assert "INV-2026-0107" in letter.text


# ---- held-out corpus: a regression guard ---------------------------------------------------


@needs_tesseract
def test_heldout_quality() -> None:
    """The brief's aims (invoice_date, total, currency >= 95 %, vendor >= 80 %) and what the
    first blind run reached (all 100 % but invoice_number 88 %: "Factura n.º" is not read,
    and one letter quoting "Rechnung Nr." is taken for an invoice): floors, not targets."""
    from bench.quality_invoices import evaluate

    report = evaluate("heldout")
    floors = {
        "invoice_date": 0.95,
        "total": 0.95,
        "currency": 0.95,
        "vendor": 0.9,
        "due_date": 0.9,
        "tax": 0.9,
        "invoice_number": 0.85,
    }
    rates = {name: report.rate(name) for name in floors}
    assert all(rates[name] >= floor for name, floor in floors.items()), rates
    assert len(report.missed) <= 1, [r.file for r in report.missed]
    assert len(report.false_positives) <= 1, [r.file for r in report.false_positives]


def test_heavy_libraries_are_imported_only_when_used() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import services.intake.extract.pdf, services.intake.extract.invoice\n"
        "print(sorted(m for m in ('pypdfium2', 'PIL', 'pytesseract') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
