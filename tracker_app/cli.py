"""The `tracker` command line."""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

import services
from services import Role

from . import (
    cli_bulk,
    cli_data,
    cli_intake,
    cli_jobs,
    cli_mail,
    cli_similar,
    cli_storage,
    migrate,
    observe,
    serve_many,
)
from .clitools import (
    clean_errors,
    connect,
    prepare_database,
    safe_url,
    settings_from_env,
)
from .settings import Settings, SettingsError, log_format

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Issues & Insights Tracker."""
    try:
        fmt = log_format()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    observe.configure_logging(fmt, logging.DEBUG if verbose else logging.INFO)


class WorkerCount(click.ParamType):
    """A number of web processes, at least 1, or `auto`: one per core."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return serve_many.cores()
        try:
            count = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a number of processes or 'auto'", param, ctx)
        if count < 1:
            self.fail("at least 1 (or 'auto': one per core)", param, ctx)
        return count


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=int,
    help="Port to listen on (the first one, with --workers).",
)
@click.option(
    "--workers",
    default="1",
    show_default=True,
    type=WorkerCount(),
    help="Web processes, on consecutive ports from --port (auto: one per core). Put a proxy "
    "in front that keeps each browser on one process: deploy/nginx-local.conf.",
)
@click.option("--worker-index", type=int, hidden=True, help="(Internal) one of --workers.")
def serve(host: str, port: int, workers: int, worker_index: int | None) -> None:
    """Run the web app (embedded default: migrates SQLite and needs nothing else)."""
    from . import web

    settings = settings_from_env()
    if worker_index is not None:  # started by `serve --workers`, which prepared everything
        connect(settings)
        web.run(settings, host, port, scheduled=worker_index == 0)
        return
    if workers > 1 and settings.embedded and not settings.database_url.startswith("sqlite"):
        raise click.ClickException(
            "Several web processes on PostgreSQL need TRACKER_REDIS_URL: their live updates "
            "cross over Redis (without it, a change committed out of order could be missed)."
        )
    busy = serve_many.taken(host, port, workers) if workers > 1 else []
    if busy:
        raise click.ClickException(f"Port {busy[0]} is in use: choose another --port.")
    prepare_database(settings)
    connect(settings)
    _first_admin(settings)
    if workers == 1:
        mode = "embedded (in-process events)" if settings.embedded else "with Redis events"
        click.echo(f"Serving on http://{host}:{port} — {mode}, database {safe_url(settings)}")
        web.run(settings, host, port)
        return
    services.runtime().engine.dispose()  # the processes have their own connections
    mode = "events through the database" if settings.embedded else "with Redis events"
    last = port + workers - 1
    click.echo(
        f"Serving on http://{host}:{port} to http://{host}:{last} — {workers} web processes, "
        f"{mode}, database {safe_url(settings)}\nPut a proxy in front that keeps each browser "
        "on one process and spreads /api/ over all (deploy/nginx-local.conf); its upstream "
        "servers: " + " ".join(f"{host}:{p};" for p in range(port, last + 1))
    )
    sys.exit(serve_many.run(host, port, workers))


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@clean_errors
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    settings = settings_from_env()
    migrate.upgrade(settings.database_url, revision)
    click.echo(f"Database at {migrate.current(settings.database_url)}")


@db.command("downgrade")
@click.argument("revision")
@clean_errors
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" removes every table)."""
    settings = settings_from_env()
    migrate.downgrade(settings.database_url, revision)
    click.echo(f"Database at {migrate.current(settings.database_url) or 'base'}")


@db.command("current")
@clean_errors
def db_current() -> None:
    """Show the database's revision and the code's head."""
    settings = settings_from_env()
    current = migrate.current(settings.database_url)
    head = migrate.head()
    state = "up to date" if current == head else "run `tracker db upgrade`"
    click.echo(f"current: {current or 'base (empty)'}\nhead:    {head}\n{state}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision(message: str) -> None:
    """(Developers) autogenerate a migration from the models."""
    migrate.revision(settings_from_env().database_url, message)


@main.command("create-admin")
@click.option("--email", required=True, help="The administrator's email.")
@click.option("--password", help="Their password (generated and printed when omitted).")
@click.option("--full-name", default="Administrator", show_default=True)
@clean_errors
def create_admin(email: str, password: str | None, full_name: str) -> None:
    """Create an ADMIN account (the way to get the first one: no default credentials)."""
    _create_user(email, Role.ADMIN, password, full_name)


@main.command("create-user")
@click.option("--email", required=True, help="The user's email.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role], case_sensitive=False),
    help="REPORTER, MAINTAINER or ADMIN.",
)
@click.option("--password", help="Their password (generated and printed when omitted).")
@click.option("--full-name", default="", help="Display name.")
@clean_errors
def create_user(email: str, role: str, password: str | None, full_name: str) -> None:
    """Create an account with any role."""
    _create_user(email, Role(role.upper()), password, full_name)


@main.command("unlock-user")
@click.argument("email")
@clean_errors
def unlock_user(email: str) -> None:
    """Clear the sign-in lockout of an account (and of its browsers): for the last admin,
    who has nobody to ask."""
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    with services.session() as s:
        user = services.users.unlock_account(s, email)
    click.echo(f"Unlocked {user.email} (id {user.id}); they can sign in again.")


@main.command("seed-demo")
@click.option("--issues", "count", default=200, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same data).")
@clean_errors
def seed_demo(count: int, seed: int) -> None:
    """Fill the database with realistic demo users and issues."""
    from services import demo

    settings = settings_from_env()
    if settings.production:
        raise click.ClickException("seed-demo is for trying the tracker out, not production.")
    prepare_database(settings)
    connect(settings)
    with services.session() as s:
        accounts = demo.ensure_demo_users(s)
    click.echo("Demo accounts:")
    for email, role, password in accounts:
        click.echo(f"  {role:<10} {email:<30} {password or '(existed; password unchanged)'}")
    with click.progressbar(length=count, label="Creating issues") as bar, services.session() as s:
        demo.seed_issues(s, count, seed=seed, progress=bar.update)
    click.echo(f"Created {count} issues.")


# --- helpers -------------------------------------------------------------------------------


def _create_user(email: str, role: Role, password: str | None, full_name: str) -> None:
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with services.session() as s:
        user = services.users.provision(
            s, {"email": email, "password": password, "full_name": full_name, "role": role}
        )
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if generated:
        click.echo(f"Password: {password}\nIt is shown only once; change it after signing in.")


def _first_admin(settings: Settings) -> None:
    """On the first embedded start, create an admin with a one-time password and print it."""
    with services.session() as s:
        if services.users.count_users(s):
            return
    if not settings.database_url.startswith("sqlite"):
        click.echo("No users yet: create the first one with `tracker create-admin --email ...`.")
        return
    password = secrets.token_urlsafe(12)
    with services.session() as s:
        services.users.provision(
            s,
            {
                "email": "admin@tracker.local",
                "password": password,
                "full_name": "Administrator",
                "role": Role.ADMIN,
            },
        )
    click.echo(
        "First start: created the administrator admin@tracker.local with the one-time "
        f"password {password}\nSign in and change it; it is not shown again."
    )


main.add_command(cli_data.import_command)
main.add_command(cli_data.export_command)
main.add_command(cli_data.search_index_command)
main.add_command(cli_bulk.bulk_command)
main.add_command(cli_jobs.stats)
main.add_command(cli_intake.intake)
main.add_command(cli_similar.similar_group)
main.add_command(cli_storage.storage_group)
main.add_command(cli_jobs.worker_command)
main.add_command(cli_jobs.scheduler_command)
main.add_command(cli_mail.mail_in)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
