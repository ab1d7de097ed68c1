"""A throw-away PostgreSQL schema per use, so test runs (and xdist workers) never see each
other's tables. Every connection made through the URL carries the schema's name as its
`application_name`, so a test that looks at (or terminates) the server's connections can
pick its own among those of the other workers on the same database."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import URL, create_engine, make_url, text

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")


@contextmanager
def pg_schema(
    prefix: str, before_drop: Callable[[], None] | None = None, *, base_url: str | None = None
) -> Iterator[str]:
    """Yield a URL whose search_path is a new empty schema; drop the schema afterwards."""
    base = base_url or PG_URL
    assert base, "TRACKER_TEST_DATABASE_URL is not set"
    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(base, pool_pre_ping=True)  # survives the reconnect drill
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        if before_drop:
            before_drop()  # e.g. dispose pools that still hold the schema
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def application_name(url: str | URL) -> str:
    """The `application_name` of the connections a pg_schema URL makes."""
    name = make_url(url).query.get("application_name")
    assert isinstance(name, str), f"not a pg_schema URL: {url}"
    return name
