"""`tracker bulk`: change many issues at once, as the list's bulk edit and the API do."""

from __future__ import annotations

from typing import Any

import click

import services
from services.enums import Resolution, Severity, Status

from .cli_data import actor_for
from .clitools import clean_errors, connect, prepare_database, settings_from_env

_LISTS = ("status", "severity")  # filter keys that take several values


@click.command("bulk")
@click.argument("ids", nargs=-1, type=click.IntRange(min=1))
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="KEY=VALUE",
    help="Instead of IDS: every issue matching these filters (the API's GET /issues "
    "parameters, e.g. status=OPEN, tag=ui, q=crash; repeat for more).",
)
@click.option("--status", type=click.Choice([m.value for m in Status]))
@click.option(
    "--resolution",
    type=click.Choice([m.value for m in Resolution if m != Resolution.DUPLICATE]),
    help="With --status DONE (default fixed).",
)
@click.option("--severity", type=click.Choice([m.value for m in Severity]))
@click.option("--assign", "assign_email", metavar="EMAIL", help="Assign to this maintainer/admin.")
@click.option("--unassign", is_flag=True, help="Assign to nobody.")
@click.option("--add-tag", "add_tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--remove-tag", "remove_tags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--comment", help="Add this comment (Markdown) to each issue.")
@click.option("--as", "as_email", help="Act as this user (default: the first active admin).")
@clean_errors
def bulk_command(
    ids: tuple[int, ...],
    where: tuple[str, ...],
    as_email: str | None,
    assign_email: str | None,
    unassign: bool,
    **options: Any,
) -> None:
    """Change the issues IDS (or every issue matching --where) at once: each one is checked
    on its own like a single change; the ones that cannot change are listed and left alone
    (exit status 1), the rest are changed."""
    settings = settings_from_env()
    prepare_database(settings)
    connect(settings)
    actor = actor_for(as_email)
    changes = {k: v for k, v in options.items() if v not in (None, ())}
    changes |= _assignee(assign_email, unassign)
    target: dict[str, Any] = {"ids": list(ids)} if ids else {"filter": _filter(where)}
    if ids and where:
        raise click.UsageError("Give issue ids or --where filters, not both.")
    with services.session() as s:
        result = services.bulk.bulk_update(s, actor, changes, **target)
    for item in result.items:
        if not item.ok:
            click.echo(item.error, err=True)
    click.echo(
        f"{result.applied} changed, {result.unchanged} already so, {result.failed} refused "
        f"(as {actor.email})."
    )
    if result.failed:
        raise SystemExit(1)


def _assignee(email: str | None, unassign: bool) -> dict[str, Any]:
    if email and unassign:
        raise click.UsageError("Give --assign or --unassign, not both.")
    if unassign:
        return {"assignee_id": None}
    if email:
        return {"assignee_id": actor_for(email).id}
    return {}


def _filter(where: tuple[str, ...]) -> dict[str, Any]:
    if not where:
        raise click.UsageError("Give issue ids, or --where filters for every matching issue.")
    out: dict[str, Any] = {}
    for pair in where:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(f"--where {pair!r}: write KEY=VALUE, e.g. status=OPEN.")
        if key in _LISTS:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out
