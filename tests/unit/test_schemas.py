"""Input validation: allow-listed fields, limits and normalisation (services/schemas.py)."""

from __future__ import annotations

import pytest

from services.enums import Role, Severity
from services.errors import InvalidInput
from services.schemas import (
    MAX_DESCRIPTION,
    MAX_TAGS,
    MAX_TITLE,
    CommentCreate,
    IssueCreate,
    IssueUpdate,
    Registration,
    UserCreate,
    parse,
)


def refused(model, data) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse(model, data)
    return info.value


# --- issues --------------------------------------------------------------------------------


def test_issue_defaults():
    issue = parse(IssueCreate, {"title": "Login button does nothing"})
    assert issue.title == "Login button does nothing"
    assert issue.description == ""
    assert issue.severity == Severity.MEDIUM
    assert issue.tags == []


def test_fields_a_caller_may_not_set_are_refused_by_name():
    data = {"title": "ok", "status": "DONE", "reporter_id": 1, "version": 99}
    error = refused(IssueCreate, data)
    assert set(error.errors) == {"status", "reporter_id", "version"}
    for field in ("status", "reporter_id", "version"):
        assert "cannot be set" in error.errors[field]
        assert field in error.message


def test_update_refuses_status_and_version_too():
    error = refused(IssueUpdate, {"title": "new", "status": "DONE", "version": 2})
    assert set(error.errors) == {"status", "version"}


@pytest.mark.parametrize(
    "title",
    [
        "",
        "   ",
        "\t\n",
        "a" * (MAX_TITLE + 1),
        "first line\nsecond",
        "carriage\rreturn",
        "bell\x07",
    ],
    ids=["empty", "spaces", "whitespace", "too-long", "newline", "cr", "control"],
)
def test_bad_titles_are_refused(title):
    error = refused(IssueCreate, {"title": title})
    assert list(error.errors) == ["title"]


def test_title_of_exactly_the_limit_is_accepted():
    title = "t" * MAX_TITLE
    assert parse(IssueCreate, {"title": title}).title == title


def test_a_too_long_title_is_counted_in_characters():
    error = refused(IssueCreate, {"title": "a" * (MAX_TITLE + 1)})
    assert error.message == f"Title must be at most {MAX_TITLE} characters."


def test_title_is_trimmed():
    assert parse(IssueCreate, {"title": "  Crash on save \n"}).title == "Crash on save"


def test_missing_title_is_refused():
    assert "title" in refused(IssueCreate, {"description": "no title"}).errors


def test_description_limit():
    ok = parse(IssueCreate, {"title": "t", "description": "d" * MAX_DESCRIPTION})
    assert len(ok.description) == MAX_DESCRIPTION
    error = refused(IssueCreate, {"title": "t", "description": "d" * (MAX_DESCRIPTION + 1)})
    assert list(error.errors) == ["description"]


def test_description_keeps_newlines_normalised_and_refuses_nul():
    issue = parse(IssueCreate, {"title": "t", "description": "line 1\r\nline 2\n"})
    assert issue.description == "line 1\nline 2\n"
    assert "description" in refused(IssueCreate, {"title": "t", "description": "a\x00b"}).errors


def test_unknown_severity_is_refused():
    assert "severity" in refused(IssueCreate, {"title": "t", "severity": "URGENT"}).errors
    assert parse(IssueCreate, {"title": "t", "severity": "HIGH"}).severity == Severity.HIGH


# --- tags ----------------------------------------------------------------------------------


def test_tags_are_lowercased_deduplicated_and_sorted():
    issue = parse(IssueCreate, {"title": "t", "tags": ["UI", "bug", " Bug ", "backend", "ui"]})
    assert issue.tags == ["backend", "bug", "ui"]


@pytest.mark.parametrize(
    "tag", ["", "two words", "-leading-dash", ".dot", "emoji🐛", "a" * 41, "slash/tag"]
)
def test_invalid_tags_are_refused(tag):
    error = refused(IssueCreate, {"title": "t", "tags": ["fine", tag]})
    assert list(error.errors) == ["tags"]


def test_tag_characters_allowed():
    tags = ["v1.2", "needs_info", "front-end", "a" * 40, "0day"]
    assert parse(IssueCreate, {"title": "t", "tags": tags}).tags == sorted(tags)


def test_more_than_the_maximum_of_tags_is_refused():
    tags = [f"tag{i}" for i in range(MAX_TAGS + 1)]
    error = refused(IssueCreate, {"title": "t", "tags": tags})
    assert str(MAX_TAGS) in error.errors["tags"]


def test_duplicates_do_not_count_towards_the_maximum():
    tags = [f"tag{i}" for i in range(MAX_TAGS)] + ["TAG0", "tag1 "]
    assert len(parse(IssueCreate, {"title": "t", "tags": tags}).tags) == MAX_TAGS


# --- users ---------------------------------------------------------------------------------


def test_registration_cannot_choose_a_role():
    data = {"email": "eve@example.com", "password": "pw-long-enough", "role": "ADMIN"}
    error = refused(Registration, data)
    assert list(error.errors) == ["role"]


def test_registration_cannot_activate_itself():
    data = {"email": "eve@example.com", "password": "pw-long-enough", "is_active": True}
    assert "is_active" in refused(Registration, data).errors


def test_admin_created_users_may_have_a_role():
    user = parse(UserCreate, {"email": "m@example.com", "password": "x" * 12, "role": "MAINTAINER"})
    assert user.role == Role.MAINTAINER
    assert (
        "role"
        in refused(UserCreate, {"email": "m@example.com", "password": "x", "role": "GOD"}).errors
    )


def test_email_is_normalised_to_lowercase():
    reg = parse(Registration, {"email": "  Alice.Smith@Example.COM ", "password": "pw"})
    assert reg.email == "alice.smith@example.com"


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-email",
        "a@b",
        "@example.com",
        "a b@example.com",
        "a@b@example.com",
        "a@.",
        "x" * 310 + "@example.com",
    ],
)
def test_invalid_emails_are_refused(email):
    error = refused(Registration, {"email": email, "password": "pw"})
    assert list(error.errors) == ["email"]


def test_full_name_must_be_one_line():
    data = {"email": "a@example.com", "password": "pw", "full_name": "Ann\nAdmin"}
    assert "full_name" in refused(Registration, data).errors


# --- comments and parse() ------------------------------------------------------------------


def test_comment_body_is_required_and_bounded():
    assert "body" in refused(CommentCreate, {"body": ""}).errors
    assert "body" in refused(CommentCreate, {"body": "b" * 10_001}).errors
    assert parse(CommentCreate, {"body": "b" * 10_000}).body == "b" * 10_000


def test_parse_passes_a_validated_model_through():
    issue = parse(IssueCreate, {"title": "t"})
    assert parse(IssueCreate, issue) is issue


def test_every_problem_is_reported_at_once():
    error = refused(IssueCreate, {"title": "", "severity": "NOPE", "tags": ["bad tag"]})
    assert set(error.errors) == {"title", "severity", "tags"}
