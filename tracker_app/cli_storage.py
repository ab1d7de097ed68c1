"""`tracker storage check|prepare|sweep|migrate`: where the attachments live."""

from __future__ import annotations

import sys

import click

import services
from services.storage import describe_url, open_storage
from services.storage.migrate import count_files, migrate
from services.storage.sweep import ORPHAN_MIN_AGE, sweep_orphans

from .cli_jobs import ready
from .clitools import clean_errors


@click.group("storage")
def storage_group() -> None:
    """The file storage (TRACKER_STORAGE_URL: the upload directory or an S3 bucket)."""


@storage_group.command("check")
@clean_errors
def check() -> None:
    """Say which storage is configured and whether it answers (exit 1 if not)."""
    ready()
    storage = services.files.storage()
    storage.check()
    click.echo(f"Storage {storage.description}: ok.")


@storage_group.command("prepare")
@clean_errors
def prepare() -> None:
    """Create the configured bucket if it does not exist (the compose stack's own server)."""
    ready()
    storage = services.files.storage()
    create = getattr(storage, "create_bucket", None)
    if create is None:
        click.echo(f"Storage {storage.description}: nothing to prepare.")
        return
    click.echo(f"Storage {storage.description}: " + ("created." if create() else "exists."))


@storage_group.command("sweep")
@click.option(
    "--min-age",
    type=click.FloatRange(min=0),
    default=ORPHAN_MIN_AGE / 3600,
    show_default=True,
    help="only files older than this many hours (an upload may still be committing)",
)
@click.option("--dry-run", is_flag=True, help="count, delete nothing")
@click.option("--force", is_flag=True, help="even when most stored files would go")
@clean_errors
def sweep(min_age: float, dry_run: bool, force: bool) -> None:
    """Delete stored files that no attachment points at (left by a crash between storing a
    file and saving its row), and a bucket's unfinished uploads."""
    ready()
    result = sweep_orphans(min_age=min_age * 3600, dry_run=dry_run, force=force)
    click.echo(("Would have: " if dry_run else "Swept: ") + str(result) + ".")


@storage_group.command("migrate")
@click.option(
    "--to", "to", required=True, help="the new storage: s3://bucket/prefix (or a directory)"
)
@click.option(
    "--endpoint-url",
    help="the new storage's S3 server (default: TRACKER_S3_ENDPOINT_URL)",
)
@clean_errors
def migrate_command(to: str, endpoint_url: str | None) -> None:
    """Copy every stored file to another storage, verifying each checksum. Switches nothing:
    once every file is there, set TRACKER_STORAGE_URL on every process and restart them.
    Interrupted, or files added meanwhile: run it again; it copies only what is missing."""
    settings = ready()
    source = services.files.storage()
    try:
        target = open_storage(
            to, local_dir=settings.upload_dir, endpoint_url=endpoint_url or settings.s3_endpoint_url
        )
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if target.description == source.description:
        raise click.ClickException(f"{describe_url(to)} is the storage in use already.")
    total = count_files()
    label = f"Copying to {target.description}"
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        report = migrate(source, target, progress=bar.update)
    for name, why in report.failed:
        click.echo(f"  {name}: {why}", err=True)
    summary = (
        f"{report.copied} copied and verified, {report.already} already there "
        f"(of {report.total} files)"
    )
    if not report.complete:
        raise click.ClickException(
            f"{summary}; {len(report.failed)} not copied (above). Nothing was switched: "
            "fix those and run this again, it resumes."
        )
    click.echo(
        f"{summary}. Nothing was switched yet: stop uploads, run this once more for files "
        f"added meanwhile, then set TRACKER_STORAGE_URL={to} on every web process and "
        "worker and restart them."
    )
