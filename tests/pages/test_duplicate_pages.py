"""Similar issues on the pages: while typing a new issue, possible duplicates on an issue,
one-click merge, and the "affected" count and the original's status, live."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User

import services
from pages.cookies import SESSION
from tests.factories import PASSWORD, make_issue, make_user
from tests.pages.conftest import press, sign_in


async def test_a_reporter_typing_sees_their_own_match_and_only_a_hint_of_others(
    user: User, db
) -> None:
    someone = make_user()
    theirs = make_issue(someone, title="Exporting the issue list to CSV times out")
    me = sign_in(user, email="rita@example.com")
    mine = make_issue(me, title="Dark mode sidebar is unreadable at night")
    await user.open("/issues/new")
    user.find("Title").type("Exporting the issue list to CSV times out")
    await user.should_see("A similar report already exists", retries=100)
    await user.should_not_see(f"#{theirs.id}")
    await user.should_see("Matched by words only")

    user.find("Title").clear()
    user.find("Title").type("Dark mode sidebar unreadable")
    await user.should_see(f"#{mine.id} {mine.title}", retries=100)
    await user.should_not_see("A similar report already exists")


async def test_two_words_are_not_enough_to_search(user: User, db) -> None:
    staff = sign_in(user, "MAINTAINER")
    make_issue(staff, title="Exporting CSV times out")
    await user.open("/issues/new")
    user.find("Title").type("Exporting CSV")
    await user.should_not_see("Similar issues", retries=20)
    user.find("Title").type(" times out")
    await user.should_see("Similar issues", retries=100)


async def test_staff_merge_a_duplicate_and_the_original_counts_it_live(
    create_user: Callable[[], User], db
) -> None:
    reporter, other = make_user(), make_user()
    original = make_issue(reporter, title="Exporting the issue list to CSV times out")
    dup = make_issue(other, title="CSV export of the issue list times out")
    maintainer_browser, watcher, reporter_browser = create_user(), create_user(), create_user()
    sign_in(maintainer_browser, "MAINTAINER")
    sign_in(watcher, "ADMIN")
    with services.session() as s:
        token, _ = services.auth.login(s, other.email, PASSWORD)
    reporter_browser.http_client.cookies.set(SESSION, token)

    await watcher.open(f"/issues/{original.id}")
    await watcher.should_not_see("Affects 2 reporters")
    await reporter_browser.open(f"/issues/{dup.id}")
    await maintainer_browser.open(f"/issues/{dup.id}")
    await maintainer_browser.should_see("Possible duplicates", retries=100)
    # The list is one element: a click on its button for #N sends N (tests/e2e clicks it).
    listing = maintainer_browser.find(f"Mark as duplicate of #{original.id}")
    listing.trigger("click", None)  # a click beside the buttons does nothing
    await maintainer_browser.should_not_see("reopen this issue to undo")
    listing.trigger("click", str(original.id))
    await maintainer_browser.should_see("reopen this issue to undo", retries=100)
    await watcher.should_see("Affects 2 reporters", retries=100)  # live, on another page
    # the duplicate's reporter: told it is a duplicate, with the original's status, live
    await reporter_browser.should_see("Closed as a duplicate of another report", retries=100)
    await reporter_browser.should_not_see(original.title)
    with services.session() as s:
        services.issues.change_status(s, make_user("MAINTAINER"), original.id, "TRIAGED")
    await reporter_browser.should_see("Triaged", retries=100)

    press(maintainer_browser, "Move to Open")  # reopening undoes it
    await watcher.should_not_see("Affects 2 reporters", retries=100)


async def test_staff_mark_a_duplicate_of_any_number_in_a_dialog(user: User, db) -> None:
    original = make_issue(make_user(), title="Uploads over 10 MB fail")
    dup = make_issue(make_user(), title="Cannot attach my screen recording")
    sign_in(user, "MAINTAINER")
    await user.open(f"/issues/{dup.id}")
    await user.should_not_see("Of issue #")  # the dialog is made when asked for

    press(user, "Mark as duplicate…")
    await user.should_see("Of issue #")
    user.find(kind=ui.button, content="Mark as duplicate").click()  # no number given
    await user.should_see("Give the number of the original issue.")
    await user.should_not_see("reopen this issue to undo")

    press(user, "Mark as duplicate…")
    await user.should_see("Of issue #")
    user.find(kind=ui.number).elements.pop().value = dup.id  # itself
    user.find(kind=ui.number).trigger("keydown.enter")
    await user.should_see("An issue cannot be a duplicate of itself.")

    press(user, "Mark as duplicate…")
    await user.should_see("Of issue #")
    user.find(kind=ui.number).elements.pop().value = original.id
    user.find(kind=ui.number).trigger("keydown.enter")
    await user.should_see("reopen this issue to undo")
    await user.should_see(f"#{original.id}")
    await user.should_not_see("Of issue #")  # the dialog is gone with its answer
    with pytest.raises(AssertionError):  # a duplicate offers no second marking
        press(user, "Mark as duplicate…")
    with services.session() as s:
        issue = services.issues.get_issue(s, make_user("ADMIN"), dup.id)
    assert (issue.status.value, issue.duplicate_of) == ("DONE", original.id)


async def test_a_reporter_is_not_offered_to_mark_duplicates_and_nothing_takes_room(
    user: User, db
) -> None:
    me = sign_in(user)
    mine = make_issue(me, title="The export button is grey")
    await user.open(f"/issues/{mine.id}")
    await user.should_see("Withdraw my issue")
    await user.should_not_see("Mark as duplicate")
    # no signatures and no possible duplicates: their one element is hidden (no gap for it)
    page = user.client.page_container  # the issue page's elements, not the header's
    hidden = [e for e in page.descendants() if isinstance(e, ui.html) and not e.visible]
    assert len(hidden) == 1 and hidden[0].content == ""


async def test_a_merge_after_a_change_that_leaves_the_text_alone_is_no_conflict(
    user: User, db
) -> None:
    """A tag changes the issue's version but not its possible duplicates: the merge is
    checked against the version the page shows, not the one of their last search."""
    original = make_issue(make_user(), title="Uploads over 10 MB fail")
    dup = make_issue(make_user(), title="Cannot attach my screen recording")
    sign_in(user, "MAINTAINER")
    await user.open(f"/issues/{dup.id}")
    await user.should_see("Possible duplicates", retries=100)
    with services.session() as s:
        services.issues.set_tags(s, make_user("MAINTAINER"), dup.id, ["uploads"])
    await user.should_see("uploads", retries=100)  # live
    press(user, "Mark as duplicate…")
    await user.should_see("Of issue #")
    user.find(kind=ui.number).elements.pop().value = original.id
    user.find(kind=ui.number).trigger("keydown.enter")
    await user.should_see("reopen this issue to undo", retries=100)
    await user.should_not_see("Someone changed this issue a moment ago")
