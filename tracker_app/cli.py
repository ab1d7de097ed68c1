"""The `tracker` command line."""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError

import services
from services import Role

from . import migrate
from .settings import Settings, SettingsError

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Issues & Insights Tracker."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


def _connect(settings: Settings) -> None:
    services.connect(
        settings.database_url,
        upload_dir=settings.upload_dir,
        max_upload_bytes=settings.max_upload_bytes,
        secret_key=settings.secret_key,
        redis_url=settings.redis_url,
    )


def _clean_errors(func: F) -> F:
    """Show domain and database errors as a one-line message and exit 1, not a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except services.DomainError as e:
            raise click.ClickException(e.message) from None
        except DBAPIError as e:
            raise click.ClickException(f"Database error: {_first_line(e.orig)}") from None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Run the web app (embedded default: migrates SQLite and needs nothing else)."""
    from . import web

    settings = _settings()
    _prepare_database(settings)
    _connect(settings)
    _first_admin(settings)
    mode = "embedded (in-process events)" if settings.embedded else "with Redis events"
    click.echo(f"Serving on http://{host}:{port} — {mode}, database {_safe_url(settings)}")
    web.run(settings, host, port)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@_clean_errors
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    settings = _settings()
    migrate.upgrade(settings.database_url, revision)
    click.echo(f"Database at {migrate.current(settings.database_url)}")


@db.command("downgrade")
@click.argument("revision")
@_clean_errors
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" removes every table)."""
    settings = _settings()
    migrate.downgrade(settings.database_url, revision)
    click.echo(f"Database at {migrate.current(settings.database_url) or 'base'}")


@db.command("current")
@_clean_errors
def db_current() -> None:
    """Show the database's revision and the code's head."""
    settings = _settings()
    current = migrate.current(settings.database_url)
    head = migrate.head()
    state = "up to date" if current == head else "run `tracker db upgrade`"
    click.echo(f"current: {current or 'base (empty)'}\nhead:    {head}\n{state}")


@db.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision(message: str) -> None:
    """(Developers) autogenerate a migration from the models."""
    migrate.revision(_settings().database_url, message)


@main.command("create-admin")
@click.option("--email", required=True, help="The administrator's email.")
@click.option("--password", help="Their password (generated and printed when omitted).")
@click.option("--full-name", default="Administrator", show_default=True)
@_clean_errors
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
@_clean_errors
def create_user(email: str, role: str, password: str | None, full_name: str) -> None:
    """Create an account with any role."""
    _create_user(email, Role(role.upper()), password, full_name)


@main.command("seed-demo")
@click.option("--issues", "count", default=200, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=7, show_default=True, help="Random seed (same seed, same data).")
@_clean_errors
def seed_demo(count: int, seed: int) -> None:
    """Fill the database with realistic demo users and issues."""
    from services import demo

    settings = _settings()
    if settings.production:
        raise click.ClickException("seed-demo is for trying the tracker out, not production.")
    _prepare_database(settings)
    _connect(settings)
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
    settings = _settings()
    _prepare_database(settings)
    _connect(settings)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with services.session() as s:
        user = services.users.provision(
            s, {"email": email, "password": password, "full_name": full_name, "role": role}
        )
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if generated:
        click.echo(f"Password: {password}\nIt is shown only once; change it after signing in.")


def _prepare_database(settings: Settings) -> None:
    """SQLite (embedded) migrates itself; other databases must be at head already."""
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(settings.database_url)
        return
    try:
        current = migrate.current(settings.database_url)
    except DBAPIError as e:
        raise click.ClickException(
            f"Cannot reach the database {_safe_url(settings)}: {_first_line(e.orig)}"
        ) from None
    if current != migrate.head():
        raise click.ClickException(
            f"The database is at revision {current or 'base'}, the code needs {migrate.head()}: "
            "run `tracker db upgrade` first."
        )


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


def _first_line(error: object) -> str:
    return (str(error).strip().splitlines() or ["unknown error"])[0]


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
