"""Tags on the pages: existing tags are suggested while tagging; admins rename and merge."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

import services
from pages.pickers import IssuePickers
from tests.factories import make_issue, make_user
from tests.pages.conftest import pick, sign_in, until


def _tag(actor, issue_id, tags):
    with services.session() as s:
        services.issues.set_tags(s, actor, issue_id, tags)


async def test_existing_tags_are_suggested_while_tagging(user: User, db) -> None:
    me = sign_in(user, "MAINTAINER")
    _tag(me, make_issue(me).id, ["regression", "checkout"])
    issue = make_issue(make_user())
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Possible duplicates")
    [pickers] = user.find(kind=IssuePickers).elements
    assert {"regression", "checkout"} <= set(pickers.props["known"])
    await user.open("/issues/new")
    [picker] = [s for s in user.find(kind=ui.select).elements if s.props.get("label") == "Tags"]
    assert {"regression", "checkout"} <= set(picker.options)


async def test_an_admin_merges_one_tag_into_another(user: User, db) -> None:
    admin = sign_in(user, "ADMIN")
    issue = make_issue(admin)
    _tag(admin, issue.id, ["defect", "bug"])
    await user.open("/admin/users")
    user.find("Tags: rename or merge").click()
    await user.should_see("1 issues")
    user.find(marker="rename-defect").click()
    await user.should_see("Rename “defect”")
    user.find("New name (an existing tag's name merges them)").type("Bug")
    user.find(marker="rename-submit").click()
    await user.should_see("“defect” is now “bug” on 1 issues.")
    with services.session() as s:
        assert services.issues.get_issue(s, admin, issue.id).tags == ["bug"]


async def test_tags_are_for_admins(user: User, db) -> None:
    sign_in(user, "MAINTAINER")
    await user.open("/admin/tags")
    await user.should_see("Only administrators can rename or merge tags.")


async def test_tags_chosen_on_the_issue_page_are_saved_and_a_refused_choice_is_undone(
    user: User, db
) -> None:
    me = sign_in(user, "MAINTAINER")
    issue = make_issue(make_user())
    _tag(me, issue.id, ["printer"])
    await user.open(f"/issues/{issue.id}")
    await user.should_see("Possible duplicates")
    [pickers] = user.find(kind=IssuePickers).elements
    pick(user, "tags", ["printer", "jam"])  # a new tag, typed and Enter
    await until(lambda: _tags(me, issue.id) == ["jam", "printer"])
    await until(lambda: pickers.props["tags"] == ["jam", "printer"])  # what was saved

    drawn = pickers.props["drawn"]
    too_many = [f"tag{n}" for n in range(21)]
    pick(user, "tags", too_many)
    await user.should_see("at most 20")
    # The browser holds the 21 it sent: it is sent the issue's tags again, to show them.
    await until(lambda: pickers.props["drawn"] == drawn + 1)
    assert pickers.props["tags"] == ["jam", "printer"]
    assert _tags(me, issue.id) == ["jam", "printer"]

    # A change made elsewhere reaches the same pickers (an open menu and typed text stay).
    _tag(make_user("MAINTAINER"), issue.id, ["jam"])
    await until(lambda: pickers.props["tags"] == ["jam"])
    assert user.find(kind=IssuePickers).elements == {pickers}

    pick(user, "tags", "not a list")  # a hand-made message: ignored
    pick(user, "assign", "someone")
    await user.should_see("jam")
    assert _tags(me, issue.id) == ["jam"]


def _tags(actor, issue_id) -> list[str]:
    with services.session() as s:
        return services.issues.get_issue(s, actor, issue_id).tags
