"""Attachments become data: files and pasted text are read in the background, in a sandbox,
and their facts become fields, searchable text and crash signatures.

    extract/   bytes or text -> plain dataclasses; no database, no settings, heavy imports
               inside the functions that use them (a process that never analyses a file never
               pays for them)
"""

from . import analyses, export, models, record, redact, search, stats
from .analyses import (
    AnalysisView,
    analyses_of_issue,
    analysis_of_attachment,
    correct_fields,
    secret_kinds,
    thumbnail_of,
)
from .pipeline import configure
from .record import reprocess, sweep
from .redact import redact_secrets
from .stats import InvoiceSum, SignatureStat, invoice_sums, signature_stats, signatures_of_issue

__all__ = [
    "AnalysisView",
    "InvoiceSum",
    "SignatureStat",
    "analyses",
    "analyses_of_issue",
    "analysis_of_attachment",
    "configure",
    "correct_fields",
    "export",
    "invoice_sums",
    "models",
    "record",
    "redact",
    "redact_secrets",
    "reprocess",
    "search",
    "secret_kinds",
    "signature_stats",
    "signatures_of_issue",
    "stats",
    "sweep",
    "thumbnail_of",
]
