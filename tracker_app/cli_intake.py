"""`tracker intake reprocess|reindex`: re-read attachments, recompute similarity vectors."""

from __future__ import annotations

import datetime as dt
import sys

import click

import services
from services.intake import record

from .cli_jobs import ready
from .clitools import clean_errors


@click.group("intake")
def intake() -> None:
    """What the tracker reads from attachments: re-read old files after an upgrade."""


@intake.command("reprocess")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="only files attached since")
@click.option(
    "--kind",
    type=click.Choice([*record.KINDS, "invoice"]),
    help="only these files (invoice: those read as invoices before)",
)
@clean_errors
def reprocess(since: dt.datetime | None, kind: str | None) -> None:
    """Analyse attachments again, here, one after another. Files already read by the current
    version of their reader are skipped, and staff corrections are kept."""
    ready()
    day = since.date() if since else None
    total = record.count_attachments(since=day, kind=kind)
    with click.progressbar(length=total, label="Analysing files", file=sys.stderr) as bar:
        looked_at = services.intake.reprocess(since=day, kind=kind, progress=bar.update)
    click.echo(f"Looked at {looked_at} files.")


@intake.command("reindex")
@clean_errors
def reindex() -> None:
    """Compute the similarity vectors of every issue whose text or model changed (after an
    upgrade, an import, or installing the model). Running it again does nothing new."""
    ready()
    mode, why = services.suggest.model_status()
    if mode != "model":
        raise click.ClickException(
            f"{why}; similar issues use the lexical fallback, which needs no index"
        )
    total = services.suggest.vectors.count_issues()
    with click.progressbar(length=total, label="Indexing issues", file=sys.stderr) as bar:
        computed = services.suggest.vectors.reindex(progress=bar.update)
    click.echo(f"Computed {computed} of {total} issue vectors.")
