"""One permission table, run through the HTTP API and through the pages' own call path
(`pages.viewer.Viewer.call`, which every page action uses): both must agree, action by
action and role by role, because both end in the same service functions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import services
from pages.viewer import Viewer
from tests.api.conftest import PASSWORD, auth
from tests.factories import make_issue

ROLES = ["reporter", "other", "maintainer", "admin"]
# action -> expected outcome per role (reporter owns the issue; "other" is another reporter)
TABLE: dict[str, dict[str, str]] = {
    "read": {"reporter": "ok", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "edit": {"reporter": "ok", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "comment": {"reporter": "ok", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "attach": {"reporter": "ok", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "timeline": {"reporter": "ok", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "triage": {"reporter": "denied", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "tag": {"reporter": "denied", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "assign": {"reporter": "denied", "other": "not found", "maintainer": "ok", "admin": "ok"},
    "delete": {"reporter": "denied", "other": "not found", "maintainer": "denied", "admin": "ok"},
    "list users": {"reporter": "denied", "other": "denied", "maintainer": "denied", "admin": "ok"},
}
HTTP_OUTCOME = {200: "ok", 201: "ok", 204: "ok", 403: "denied", 404: "not found"}


def _api_calls(issue_id: int, version: int) -> dict[str, tuple[str, str, dict[str, Any]]]:
    url = f"/api/v1/issues/{issue_id}"
    return {
        "read": ("GET", url, {}),
        "edit": ("PATCH", url, {"json": {"title": "Edited", "version": version}}),
        "comment": ("POST", f"{url}/comments", {"json": {"body": "hello"}}),
        "attach": ("POST", f"{url}/attachments", {"files": {"file": ("log.txt", b"log\n")}}),
        "timeline": ("GET", f"{url}/activity", {}),
        "triage": ("POST", f"{url}/status", {"json": {"status": "TRIAGED", "version": version}}),
        "tag": ("PUT", f"{url}/tags", {"json": {"tags": ["x"]}}),
        "assign": ("PUT", f"{url}/assignee", {"json": {"assignee_id": None}}),
        "delete": ("DELETE", url, {}),
        "list users": ("GET", "/api/v1/users", {}),
    }


def _ui_calls(issue_id: int, version: int) -> dict[str, Callable[[Viewer], Awaitable[Any]]]:
    i = services.issues
    return {
        "read": lambda v: v.call(i.get_issue, issue_id, quiet=True),
        "edit": lambda v: v.call(
            i.update_issue, issue_id, {"title": "Edited"}, version=version, quiet=True
        ),
        "comment": lambda v: v.call(
            services.comments.add_comment, issue_id, {"body": "hello"}, quiet=True
        ),
        "attach": lambda v: v.call(
            services.attachments.save_attachment,
            issue_id,
            filename="log.txt",
            content=b"log\n",
            quiet=True,
        ),
        "timeline": lambda v: v.call(services.activity.list_activity, issue_id, quiet=True),
        "triage": lambda v: v.call(
            i.change_status, issue_id, "TRIAGED", version=version, quiet=True
        ),
        "tag": lambda v: v.call(i.set_tags, issue_id, ["x"], quiet=True),
        "assign": lambda v: v.call(i.assign, issue_id, None, quiet=True),
        "delete": lambda v: v.call(i.delete_issue, issue_id, quiet=True),
        "list users": lambda v: v.call(services.users.list_users, quiet=True),
    }


def _ui_outcome(result: Any) -> str:
    if result.ok:
        return "ok"
    return {services.PermissionDenied: "denied", services.NotFound: "not found"}.get(
        type(result.error), repr(result.error)
    )


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("role", ROLES)
async def test_the_api_and_the_pages_follow_the_same_table(http, people, role, action) -> None:
    expected = TABLE[action][role]
    api_issue = make_issue(people["reporter"], title="via the API")
    method, url, kwargs = _api_calls(api_issue.id, api_issue.version)[action]
    response = await http.request(method, url, headers=auth(people[role]), **kwargs)
    assert HTTP_OUTCOME.get(response.status_code, response.status_code) == expected

    ui_issue = make_issue(people["reporter"], title="via the pages")
    with services.session() as s:
        token, actor = services.auth.login(s, people[role].email, PASSWORD)
    viewer = Viewer(token=token, actor=actor)
    result = await _ui_calls(ui_issue.id, ui_issue.version)[action](viewer)
    assert _ui_outcome(result) == expected
