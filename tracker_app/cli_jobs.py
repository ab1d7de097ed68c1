"""`tracker stats run|backfill`, `tracker worker`, `tracker scheduler`."""

from __future__ import annotations

import datetime as dt
import sys

import click

import services

from . import worker
from .clitools import clean_errors, connect, prepare_database, settings_from_env
from .settings import Settings


@click.group("stats")
def stats() -> None:
    """daily_stats: compute now, or recompute the past."""


@stats.command("run")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD (default: today)")
@clean_errors
def stats_run(day: dt.datetime | None) -> None:
    """Compute one day's counts now (the same job the scheduler runs)."""
    ready()
    when = (day.date() if day else dt.datetime.now(dt.UTC).date()).isoformat()
    counts = services.jobs.recompute_day(when)
    click.echo(f"{when}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@stats.command("backfill")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="first day to recompute, YYYY-MM-DD",
)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="last day (default: today)")
@clean_errors
def stats_backfill(since: dt.datetime, until: dt.datetime | None) -> None:
    """Recompute every day from --since on, from the activity table."""
    ready()
    last = until.date() if until else dt.datetime.now(dt.UTC).date()
    if since.date() > last:
        raise click.ClickException("--since is after --until.")
    days = (last - since.date()).days + 1
    with (
        click.progressbar(length=days, label="Recomputing days", file=sys.stderr) as bar,
        services.session() as s,
    ):
        written = services.daily.backfill(s, since.date(), last, progress=bar.update)
    click.echo(f"Recomputed {written} days ({since.date()} to {last}).")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for the background jobs (needs TRACKER_REDIS_URL)."""
    redis_url = _redis_url()
    ready()
    worker.run_worker(worker.connection(redis_url), burst=burst)


@click.command("scheduler")
def scheduler_command() -> None:
    """Register the scheduled jobs (once, whatever the restarts) and run rq-scheduler."""
    worker.run_scheduler(worker.connection(_redis_url()))


def ready() -> Settings:
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    return settings


def _redis_url() -> str:
    url = settings_from_env().redis_url
    if not url:
        raise click.ClickException(
            "Background workers need TRACKER_REDIS_URL; without Redis, "
            "`tracker serve` runs the jobs itself."
        )
    return url
