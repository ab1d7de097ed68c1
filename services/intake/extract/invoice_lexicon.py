"""The words around invoice values, per language (en, de, fr, es): which language a
document is in, month names, currency signs and codes, companies' legal forms. Tables only.
"""

from __future__ import annotations

VERSION = "1"  # bumped with invoice.VERSION when what it reads changes

# Words that point to a language (labels and everyday words); counted to pick the language.
_LANG_WORDS = {
    "en": (
        "invoice date due total amount bill the and for vat tax payment please thank "
        "description qty price"
    ),
    "de": (
        "rechnung datum betrag gesamt mwst ust und der die das bitte zahlbar menge preis "
        "beschreibung summe netto vielen"
    ),
    "fr": (
        "facture montant tva échéance le la les des et pour merci prix quantité "
        "désignation ttc règlement paiement"
    ),
    "es": (
        "factura fecha importe iva vencimiento el los las y para gracias precio cantidad "
        "descripción cliente pago del"
    ),
}
LANG_WORDS = {lang: tuple(words.split()) for lang, words in _LANG_WORDS.items()}

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar jänner janvier janv enero ene",
        "february feb februar février fevrier févr fevr febrero",
        "march mar märz maerz mär mars marzo",
        "april apr avril avr abril abr",
        "may mai mayo",
        "june jun juni juin junio",
        "july jul juli juillet juil julio",
        "august aug août aout agosto ago",
        "september sep sept septembre septiembre setiembre",
        "october oct oktober okt octobre octubre",
        "november nov noviembre novembre",
        "december dec dezember dez décembre decembre déc diciembre dic",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

# Currency signs (longest first where one is part of another); "$" alone is settled by the
# rest of the document (see invoice._currency).
SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "MX$": "MXN",
    "R$": "BRL",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "Fr.": "CHF",
    "SFr.": "CHF",
    "zł": ("PLN"),
    "Kč": ("CZK"),
    "$": "USD",
}
_CODES = (
    "EUR USD GBP CHF CAD AUD NZD JPY CNY HKD SGD INR SEK NOK DKK PLN CZK HUF RON BGN "
    "MXN BRL ARS CLP COP PEN ZAR TRY ILS AED"
)
CODES = frozenset(_CODES.split())

# Legal forms (and a few words) that end a company's name.
LEGAL_FORMS: tuple[str, ...] = (
    "ltd",
    "limited",
    "llc",
    "l.l.c.",
    "inc",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "llp",
    "lp",
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "e.k.",
    "gbr",
    "mbh",
    "se",
    "e.v.",
    "sarl",
    "s.a.r.l.",
    "sàrl",
    "sas",
    "s.a.s.",
    "sasu",
    "eurl",
    "snc",
    "sa",
    "s.a.",
    "sl",
    "s.l.",
    "slu",
    "s.l.u.",
    "s.a.u.",
    "scp",
    "bv",
    "b.v.",
    "nv",
    "n.v.",
    "oy",
    "ab",
    "as",
    "aps",
    "s.p.a.",
    "spa",
    "s.r.l.",
    "srl",
    "pty",
    "pty ltd",
    "gmbh & co. kg",
    "studio",
    "group",
)
