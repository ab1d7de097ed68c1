"""`tracker mail-in`: one message on standard input (an MTA pipe, `.forward`), or a mailbox
polled over IMAP with TLS."""

from __future__ import annotations

import sys

import click

import services
from services.mailin import imap

from .cli_jobs import ready
from .clitools import clean_errors

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and tries again later
CHUNK = 1024 * 1024


@click.command("mail-in")
@click.option("--imap", "imap_url", help="Poll this mailbox: imaps://user:password@host[:993].")
@click.option("--folder", default="INBOX", show_default=True, help="The IMAP folder to read.")
@click.option(
    "--done-folder",
    default="Tracker-Handled",
    show_default=True,
    help="Where handled messages are moved.",
)
@clean_errors
def mail_in(imap_url: str | None, folder: str, done_folder: str) -> None:
    """Turn mail into issues and comments: one RFC 5322 message on standard input, or every
    message of an IMAP folder. Exits 75 (try again later: the MTA keeps the message) when
    the tracker cannot start (the database down, a setting wrong)."""
    try:
        ready()
    except click.ClickException as e:
        click.echo(f"Error: {e.message}; the message is kept for a later try.", err=True)
        sys.exit(EX_TEMPFAIL)
    try:
        if imap_url:
            try:
                outcomes = imap.poll(imap_url, folder=folder, done_folder=done_folder)
            except (OSError, ValueError, imap.imaplib.IMAP4.error) as e:
                raise click.ClickException(f"IMAP: {e}") from None
        else:
            outcomes = [services.mailin.handle(_stdin(services.mailin.policy.policy.max_bytes))]
    except services.Unavailable:
        click.echo("The database is unavailable; try again later.", err=True)
        sys.exit(EX_TEMPFAIL)
    finally:
        services.intake.dispatch.wait_idle(timeout=600)  # the files' analysis, here
        services.notify.dispatch.finish()
    for outcome in outcomes:
        where = f" #{outcome.issue_id}" if outcome.issue_id else ""
        reason = f": {outcome.reason}" if outcome.reason else ""
        click.echo(f"{outcome.status}{where}{reason}")


def _stdin(limit: int) -> bytes:
    """At most limit + 1 bytes (enough to know it is too large); the rest is read and
    dropped, so the MTA's pipe is not broken."""
    stream = sys.stdin.buffer
    raw = stream.read(limit + 1)
    while stream.read(CHUNK):
        pass
    return raw
