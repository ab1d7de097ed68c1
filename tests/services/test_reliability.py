"""The database going away gives a clear 'try again', never a half-written row."""

from __future__ import annotations

import pytest

import services
from services import Unavailable
from tests.factories import make_user


def test_an_unreachable_database_says_try_again(tmp_path):
    services.connect("postgresql+psycopg2://nobody@127.0.0.1:1/none", upload_dir=tmp_path)
    try:
        with pytest.raises(Unavailable) as err, services.session() as s:
            services.users.actor_for(s, email="ana@example.com")
        assert "try again" in err.value.message.lower()
    finally:
        services.runtime().engine.dispose()


def test_a_failed_write_leaves_the_session_usable_and_nothing_half_done(db, monkeypatch):
    user = make_user()

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services.issues, "record", explode)
    with pytest.raises(RuntimeError), services.session() as s:
        services.issues.create_issue(s, user, {"title": "half"})
    monkeypatch.undo()
    with services.session() as s:
        assert services.issues.list_issues(s, user).total == 0
        assert services.issues.create_issue(s, user, {"title": "whole"}).title == "whole"
