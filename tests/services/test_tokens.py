"""Named personal API tokens: shown once, stored hashed, listed by name, revoked one by one
or all at once; a password change ends them; someone else's cannot be touched."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

import services
from services import AuthenticationFailed, InvalidInput, NotFound
from services.models import ApiToken
from tests.factories import PASSWORD, make_user


def _create(actor, name, days=90):
    with services.session() as s:
        return services.tokens.create_token(s, actor, name, days=days)


def _who(value):
    with services.session() as s:
        return services.auth.actor_from_api_token(s, value)


def _mine(actor):
    with services.session() as s:
        return services.tokens.list_tokens(s, actor)


def test_a_named_token_works_is_listed_by_name_and_stored_hashed(db):
    me = make_user()
    new = _create(me, "  nightly   export ")
    assert new.token.startswith("trk_") and new.info.name == "nightly export"
    assert _who(new.token).id == me.id
    [listed] = _mine(me)
    assert (listed.name, listed.hint) == ("nightly export", new.token[-4:])
    assert listed.last_used_at is not None  # the call above
    assert listed.expires_at - listed.created_at == dt.timedelta(days=90)
    with services.session() as s:
        stored = s.scalars(select(ApiToken.token_hash)).all()
    assert new.token not in stored and len(stored[0]) == 64


def test_revoking_one_leaves_the_others(db):
    me = make_user()
    ci, laptop = _create(me, "CI"), _create(me, "laptop")
    with services.session() as s:
        services.tokens.revoke_token(s, me, ci.info.id)
    with pytest.raises(AuthenticationFailed):
        _who(ci.token)
    assert _who(laptop.token).id == me.id
    assert [t.name for t in _mine(me)] == ["laptop"]


def test_someone_elses_token_is_not_found_nor_listed(db):
    me, other = make_user(), make_user()
    theirs = _create(other, "theirs")
    with services.session() as s, pytest.raises(NotFound):
        services.tokens.revoke_token(s, me, theirs.info.id)
    assert _mine(me) == []
    assert _who(theirs.token).id == other.id


def test_revoke_all_and_a_password_change_end_every_token(db):
    me = make_user()
    first = _create(me, "first")
    with services.session() as s:
        services.auth.revoke_api_tokens(s, me)
    with pytest.raises(AuthenticationFailed):
        _who(first.token)
    second = _create(me, "second")
    with services.session() as s:
        services.users.change_password(s, me, PASSWORD, "another good passphrase 9")
    with pytest.raises(AuthenticationFailed):
        _who(second.token)
    assert _mine(me) == []


def test_an_expired_token_or_an_inactive_account_is_refused(db):
    admin, me = make_user("ADMIN"), make_user()
    old = _create(me, "old", days=7)
    with services.session() as s:
        row = s.get(ApiToken, old.info.id)
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
        s.commit()
    with pytest.raises(AuthenticationFailed):
        _who(old.token)
    assert _mine(me) == []
    live = _create(me, "live")
    with services.session() as s:
        services.users.update_user(s, admin, me.id, {"is_active": False})
    with pytest.raises(AuthenticationFailed):
        _who(live.token)


@pytest.mark.parametrize(
    ("name", "days", "says"),
    [
        ("", 90, "Give the token a name"),
        ("x" * 61, 90, "at most 60 characters"),
        ("ok", 10, "7, 30, 90, 365 days"),
        ("Dup", 90, "already have a token named"),
    ],
)
def test_bad_names_and_lifetimes_are_refused(db, name, days, says):
    me = make_user()
    _create(me, "dup")
    with pytest.raises(InvalidInput, match=says):
        _create(me, name, days)
    assert len(_mine(me)) == 1


def test_an_unknown_token_is_refused(db):
    with pytest.raises(AuthenticationFailed):
        _who("trk_" + "A" * 43)
