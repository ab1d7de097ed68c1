"""`tracker import` and `tracker export`: issues as CSV, with progress bars; `tracker
search-index`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import services
from services import Actor

from .clitools import clean_errors, connect, prepare_database, settings_from_env


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file and report row by row.")
@click.option("--as", "as_email", help="Import as this user (default: the first active admin).")
@clean_errors
def import_command(file: Path, dry_run: bool, as_email: str | None) -> None:
    """Create issues from a CSV file (title, description, severity, tags): every row or,
    if any row is wrong, none."""
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    actor = actor_for(as_email)
    with file.open(encoding="utf-8-sig", newline="") as f, services.session() as s:
        report = services.csvio.import_issues(s, actor, f, dry_run=True)
    for problem in report.errors:
        fields = "; ".join(f"{k}: {v}" for k, v in problem["errors"].items())
        click.echo(f"row {problem['row']}: {fields}", err=True)
    if report.ignored_columns:
        click.echo(f"ignored columns: {', '.join(report.ignored_columns)}", err=True)
    if not report.ok:
        raise click.ClickException(
            f"{len(report.errors)} of {report.rows} rows have errors; nothing was imported."
        )
    if dry_run:
        click.echo(f"{report.valid} rows are fine (dry run: nothing imported).")
        return
    with (
        file.open(encoding="utf-8-sig", newline="") as f,
        services.session() as s,
        click.progressbar(length=report.valid, label="Importing", file=sys.stderr) as bar,
    ):
        done = services.csvio.import_issues(s, actor, f, progress=bar.update)
    click.echo(f"Imported {done.imported} issues as {actor.email}.")


@click.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option("--as", "as_email", help="Export what this user may see (default: first admin).")
@clean_errors
def export_command(out: Path | None, as_email: str | None) -> None:
    """Write every issue as CSV (formula-like cells neutralised)."""
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    actor = actor_for(as_email)
    with services.session() as s:
        total = services.issues.list_issues(s, actor, page_size=1).total
    target = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        with (
            services.session() as s,
            click.progressbar(length=total, label="Exporting", file=sys.stderr) as bar,
        ):
            for n, line in enumerate(
                services.csvio.write_csv(services.csvio.export_rows(s, actor))
            ):
                target.write(line)
                if n:
                    bar.update(1)
    finally:
        if out:
            target.close()
    if out:
        click.echo(f"Exported {total} issues to {out}.", err=True)


def actor_for(email: str | None) -> Actor:
    """The user named by `--as`, or the first active admin."""
    with services.session() as s:
        if email:
            return services.users.actor_for(s, email=email)
        admins = services.users.first_admin(s)
    if admins is None:
        raise click.ClickException("No active administrator: pass --as EMAIL.")
    return admins


@click.command("search-index")
@clean_errors
def search_index_command() -> None:
    """Rebuild the full-text search text of every issue. The app keeps it in step by
    itself; this is for rows loaded with SQL around the app."""
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    with services.session() as s:
        services.db.begin_write(s)
        done = services.fulltext.rebuild(s)
        s.commit()
    click.echo(f"Indexed the text of {done} issues.")
