"""PDFs that are not invoices (letters, manual pages, a quotation...): each must read as
kind "pdf". Train and held-out have different ones."""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas


def page(lines: list[tuple[str, float, str]], tables: list[list[tuple[str, ...]]] = ()) -> bytes:
    """A page of paragraphs (text, size, font) wrapped at the margins, then tables."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    y = 780.0
    for text, size, font in lines:
        for line in simpleSplit(text, font, size, 480) or [""]:
            c.setFont(font, size)
            c.drawString(55, y, line)
            y -= size + 4
        y -= 6
    for table in tables:
        for row in table:
            for i, cell in enumerate(row):
                c.setFont("Helvetica", 9)
                if i == len(row) - 1:
                    c.drawRightString(540, y, cell)
                else:
                    c.drawString(55 + i * 170, y, cell)
            y -= 14
        y -= 10
    c.showPage()
    c.save()
    return out.getvalue()


H, B, T = "Helvetica", "Helvetica-Bold", "Times-Roman"

NON_INVOICES: dict[str, dict[str, tuple[str, Callable[[], bytes]]]] = {
    "train": {
        "letter-en": (
            "en",
            lambda: page(
                [
                    ("Ashford Garden Supplies", 14, B),
                    ("22 Mill Road, Ashford TN23 1AA", 9, H),
                    ("14 March 2026", 10, T),
                    ("Dear Ms Patel,", 10, T),
                    (
                        "Thank you for your order of 2 March 2026. We confirm that "
                        "invoice INV-2026-0107 "
                        "has been paid in full and that the remaining plants will be "
                        "delivered next week. "
                        "Please let us know if the delivery date does not suit you.",
                        10,
                        T,
                    ),
                    ("Kind regards,", 10, T),
                    ("Tom Baker, Customer Service", 10, T),
                ]
            ),
        ),
        "manual-en": (
            "en",
            lambda: page(
                [
                    ("Chapter 3: Installing the filter unit", 16, B),
                    (
                        "1. Switch off the pump and close both valves before you open the housing.",
                        10,
                        H,
                    ),
                    ("2. Remove the old cartridge and rinse the housing with clean water.", 10, H),
                    (
                        "3. Insert the new cartridge with the arrow pointing up, "
                        "then close the lid.",
                        10,
                        H,
                    ),
                    ("Specifications", 12, B),
                ],
                [
                    [
                        ("Weight", "", "12.50 kg"),
                        ("Flow rate", "", "1,250.00 l/h"),
                        ("Total length", "", "410.00 mm"),
                    ]
                ],
            ),
        ),
        "quote-de": (
            "de",
            lambda: page(
                [
                    ("Holzwerk Brandt GmbH", 14, B),
                    ("Sägewerkstraße 4, 34117 Kassel", 9, H),
                    ("ANGEBOT", 18, B),
                    ("Angebotsnummer: AN-2026-044    Datum: 03.02.2026", 10, H),
                    ("Gültig bis: 03.03.2026", 10, H),
                ],
                [
                    [
                        ("Eichenbohlen", "12", "1.440,00 €"),
                        ("Lieferung", "1", "85,00 €"),
                        ("Gesamtbetrag", "", "1.814,75 €"),
                    ]
                ],
            ),
        ),
        "letter-fr": (
            "fr",
            lambda: page(
                [
                    ("Mutuelle des Artisans", 14, B),
                    ("18 rue Nationale, 37000 Tours", 9, H),
                    ("Tours, le 9 avril 2026", 10, T),
                    ("Madame, Monsieur,", 10, T),
                    (
                        "Nous accusons réception de votre courrier concernant la facture de votre "
                        "plombier. Le remboursement de 240,00 € sera versé sur votre "
                        "compte sous dix "
                        "jours ouvrés.",
                        10,
                        T,
                    ),
                    ("Veuillez agréer nos salutations distinguées.", 10, T),
                ]
            ),
        ),
    },
    "heldout": {
        "letter-de": (
            "de",
            lambda: page(
                [
                    ("Hausverwaltung Kramer", 14, B),
                    ("Gartenstraße 8, 60311 Frankfurt", 9, H),
                    ("Frankfurt, 12.05.2026", 10, T),
                    ("Sehr geehrte Damen und Herren,", 10, T),
                    (
                        "wir haben Ihre Rechnung Nr. 2026-117 vom 04.05.2026 über "
                        "1.250,00 € erhalten "
                        "und an die Buchhaltung weitergeleitet. Die Zahlung erfolgt "
                        "zum Monatsende.",
                        10,
                        T,
                    ),
                    ("Mit freundlichen Grüßen", 10, T),
                    ("Petra Kramer", 10, T),
                ]
            ),
        ),
        "manual-es": (
            "es",
            lambda: page(
                [
                    ("Manual de usuario: cafetera modelo C-200", 16, B),
                    ("1. Llene el depósito con agua fría hasta la marca MAX.", 10, H),
                    ("2. Coloque el filtro y añada dos cucharadas de café molido.", 10, H),
                    ("3. Pulse el botón de encendido y espere unos cuatro minutos.", 10, H),
                    ("Datos técnicos", 12, B),
                ],
                [
                    [
                        ("Potencia", "", "1.200,00 W"),
                        ("Capacidad", "", "1,25 l"),
                        ("Peso total", "", "2,40 kg"),
                    ]
                ],
            ),
        ),
        "delivery-en": (
            "en",
            lambda: page(
                [
                    ("Northgate Wholesale Ltd", 14, B),
                    ("Unit 4, Trident Park, Hull HU2 8AA", 9, H),
                    ("DELIVERY NOTE", 18, B),
                    ("Delivery No.: DN-55812    Delivery date: 21/05/2026", 10, H),
                    ("Deliver to: Corner Café, 3 Bridge Street, York YO1 6DD", 10, H),
                ],
                [
                    [
                        ("Coffee beans 1 kg", "20", "20 bags"),
                        ("Paper cups", "5", "5 boxes"),
                        ("Total items", "", "25"),
                    ]
                ],
            ),
        ),
        "devis-fr": (
            "fr",
            lambda: page(
                [
                    ("Peinture Rousseau", 14, B),
                    ("7 impasse des Artistes, 86000 Poitiers", 9, H),
                    ("DEVIS", 18, B),
                    ("Devis n° D-2026-031    Date : 15/06/2026", 10, H),
                    ("Validité : 30 jours", 10, H),
                ],
                [
                    [
                        ("Peinture salon", "1", "1 450,00 €"),
                        ("TVA 10 %", "", "145,00 €"),
                        ("Total TTC", "", "1 595,00 €"),
                    ]
                ],
            ),
        ),
        "minutes-en": (
            "en",
            lambda: page(
                [
                    ("Minutes of the Parents' Association meeting", 14, B),
                    ("Held on 3 June 2026 in the school library.", 10, T),
                    (
                        "The treasurer reported on the summer fair. The budget for equipment was "
                        "approved. Total raised this year: $12,480.00. The next "
                        "meeting will take place "
                        "in September.",
                        10,
                        T,
                    ),
                ],
                [
                    [
                        ("Summer fair", "", "$8,200.00"),
                        ("Raffle", "", "$4,280.00"),
                        ("Total", "", "$12,480.00"),
                    ]
                ],
            ),
        ),
    },
}
