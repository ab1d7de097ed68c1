"""Helpers shared by the `tracker` commands: settings, connecting, clean error messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError

import services

from . import mail_settings, migrate
from .settings import Settings, SettingsError

F = TypeVar("F", bound=Callable[..., Any])


def settings_from_env() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None


def connect(settings: Settings) -> None:
    services.connect(
        settings.database_url,
        upload_dir=settings.upload_dir,
        max_upload_bytes=settings.max_upload_bytes,
        max_files_per_issue=settings.max_files_per_issue,
        max_upload_bytes_per_day=settings.max_upload_bytes_per_day,
        limits=settings.limits,
        secret_key=settings.secret_key,
        redis_url=settings.redis_url,
        session_idle_hours=settings.session_idle_hours,
        storage_url=settings.storage_url,
        s3_endpoint_url=settings.s3_endpoint_url,
    )
    services.intake.configure(
        cpu_seconds=settings.intake_cpu_seconds,
        memory_mb=settings.intake_memory_mb,
        wall_seconds=settings.intake_wall_seconds,
        keep_location=settings.keep_photo_location,
    )
    services.suggest.configure(model_dir=settings.similarity_model_dir)
    try:
        services.notify.configure(**vars(mail_settings.mail_config()))
        policy = mail_settings.mail_in_policy()
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    services.mailin.configure(replace(policy, allow_signup=settings.allow_signup))
    services.webhooks.configure(allow_private=settings.webhook_allow_private)


def clean_errors(func: F) -> F:
    """Show domain and database errors as a one-line message and exit 1, not a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except services.DomainError as e:
            raise click.ClickException(e.message) from None
        except DBAPIError as e:
            raise click.ClickException(f"Database error: {first_line(e.orig)}") from None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def prepare_database(settings: Settings) -> None:
    """SQLite (embedded) migrates itself; other databases must be at head already."""
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(settings.database_url)
        return
    try:
        current = migrate.current(settings.database_url)
    except DBAPIError as e:
        raise click.ClickException(
            f"Cannot reach the database {safe_url(settings)}: {first_line(e.orig)}"
        ) from None
    if current != migrate.head():
        raise click.ClickException(
            f"The database is at revision {current or 'base'}, the code needs {migrate.head()}: "
            "run `tracker db upgrade` first."
        )


def first_line(error: object) -> str:
    return (str(error).strip().splitlines() or ["unknown error"])[0]


def safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
