"""Alembic migrations of the tracker database (run them with `tracker db upgrade`)."""
