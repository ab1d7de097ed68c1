"""Keyboard shortcuts in Chromium: `?` lists them, `g d` and `g i` navigate, `/` reaches the
search from anywhere, `n` files a new issue; none of them fires while typing. The list's
headers sort and its rows are ticked from the keyboard, and the focus stays put while the
table is redrawn."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

import services
from tests.e2e.conftest import signed_in
from tests.serverproc import Server

PASSWORD = "keyboard passphrase 31"


def _press_until(page: Page, keys: list[str], url: str) -> None:
    """Press keys once the page's connection is up (a page that has just loaded takes its
    keys only then) and wait for the page to move to `url`. Pressing again after a short
    wait instead typed the key into the next page when the first press was only slow."""
    page.wait_for_function("() => window.did_handshake === true")
    for key in keys:
        page.keyboard.press(key)
    expect(page).to_have_url(re.compile(url))


def test_shortcuts(server: Server, browser: Any) -> None:
    server.add_user("kim@example.com", PASSWORD, "REPORTER")
    page = signed_in(browser, server, "kim@example.com", PASSWORD)

    page.keyboard.press("?")
    expect(page.get_by_text("Keyboard shortcuts")).to_be_visible()
    expect(page.get_by_text("go to the dashboard")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_text("Keyboard shortcuts")).to_be_hidden()

    _press_until(page, ["g", "d"], r"/dashboard$")
    # No search here: to the list's (`/?focus=search`, which the list drops from the URL
    # once it has read it; a busy machine can be slower to see the one than the other).
    _press_until(page, ["/"], r"/(\?focus=search)?$")
    search = page.get_by_label("Search issues, comments and files")
    expect(search).to_be_focused()
    page.keyboard.type("g d n")  # typing in a field is typing, not shortcuts
    expect(search).to_have_value("g d n")
    expect(page).to_have_url(re.compile(r"/\?"))

    search.blur()
    _press_until(page, ["n"], r"/issues/new$")
    page.get_by_label("Title").blur()
    _press_until(page, ["g", "i"], r"/(\?.*)?$")


def test_signed_out_pages_take_no_shortcuts(server: Server, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.wait_for_function("() => window.did_handshake === true")
    page.evaluate("document.activeElement.blur()")  # not typing in its email field
    page.keyboard.press("n")
    page.keyboard.press("?")
    page.wait_for_timeout(500)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("Keyboard shortcuts")).to_have_count(0)
    context.close()


def test_a_skip_link_jumps_over_the_header(server: Server, browser: Any) -> None:
    server.add_user("sam@example.com", PASSWORD, "ADMIN")
    page = signed_in(browser, server, "sam@example.com", PASSWORD)
    page.goto(f"{server.url}/")
    expect(page.get_by_role("heading", name="Issues")).to_be_visible()
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # out of sight until it has the focus
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    focused = page.evaluate(
        "document.activeElement !== document.body"
        " && document.activeElement.contains(document.querySelector('[role=heading]'))"
    )
    assert focused, "the focus is on the content, before its heading"
    page.keyboard.press("Tab")  # the next stop is in the content, not the header's links
    chip = page.get_by_role("button", name="Show only Open issues")
    expect(chip).to_be_focused()
    ring = chip.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert ring == "solid 2px", ring  # the focus is visible


# Counts the column headers taken out of the page once it is connected (a redrawn table).
COUNT_REDRAWS = """window.redrawn = 0; new MutationObserver(changes => { for (const c of changes)
  for (const n of c.removedNodes) if (window.did_handshake && n.nodeType === 1
    && (n.matches('th') || n.querySelector('th'))) window.redrawn++; })
  .observe(document, {subtree: true, childList: true});"""


def test_column_headers_sort_from_the_keyboard(server: Server, browser: Any) -> None:
    server.add_user("tia@example.com", PASSWORD, "MAINTAINER")
    with server.connected(), services.session() as s:  # an empty list shows no table
        me = services.users.actor_for(s, email="tia@example.com")
        services.issues.create_issue(s, me, {"title": "One to sort", "severity": "LOW"})
    page = signed_in(browser, server, "tia@example.com", PASSWORD)
    page.context.add_init_script(COUNT_REDRAWS)
    page.reload()
    expect(page.get_by_role("heading", name="Issues")).to_be_visible()
    page.wait_for_function("() => window.did_handshake === true")
    page.wait_for_timeout(1000)
    # Once shown, the table stays: it was sent again and redrawn as soon as the page had
    # connected, which took the focus from a header reached with the keyboard by then.
    assert page.evaluate("window.redrawn") == 0
    title = page.locator("th", has_text="Title")
    title.focus()
    expect(title).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=title"))
    expect(title).to_be_focused()  # still there, for the next key
    page.keyboard.press(" ")
    expect(page).to_have_url(re.compile(r"sort=-title"))
    assert page.locator("th", has_text="Tags").get_attribute("tabindex") is None  # not sortable


def test_rows_are_ticked_from_the_keyboard(server: Server, browser: Any) -> None:
    server.add_user("tom@example.com", PASSWORD, "MAINTAINER")
    with server.connected(), services.session() as s:
        me = services.users.actor_for(s, email="tom@example.com")
        for title in ("First to tick", "Second to tick"):
            services.issues.create_issue(s, me, {"title": title, "severity": "LOW"})
    page = signed_in(browser, server, "tom@example.com", PASSWORD)
    page.wait_for_function("() => window.did_handshake === true")
    first = page.get_by_role("checkbox", name=re.compile(r"Select issue #\d+")).first
    first.focus()
    page.keyboard.press(" ")
    expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
    expect(first).to_be_focused()  # the row's checkbox stays, for the next key
    expect(first).to_have_attribute("aria-checked", "true")
    second = page.get_by_role("checkbox", name=re.compile(r"Select issue #\d+")).nth(1)
    for _ in range(10):  # past the row's link, to the next row's checkbox
        page.keyboard.press("Tab")
        if second.evaluate("e => e === document.activeElement"):
            break
    page.keyboard.press(" ")
    expect(page.get_by_text("2 selected", exact=True)).to_be_visible()
    expect(second).to_be_focused()
    page.keyboard.press(" ")
    expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
    expect(second).to_have_attribute("aria-checked", "false")
    expect(second).to_be_focused()

    # A live update redraws the rows: the focus stays on the same issue's checkbox.
    same = page.get_by_role("checkbox", name=second.get_attribute("aria-label"), exact=True)
    with server.connected(), services.session() as s:
        other = services.users.actor_for(s, email="tom@example.com")
        services.issues.create_issue(s, other, {"title": "Arrives live", "severity": "LOW"})
    expect(page.get_by_text("Arrives live")).to_be_visible()
    expect(same).to_be_focused()


def test_status_chips_filter_from_the_keyboard_and_live_counts_keep_the_place(
    server: Server, browser: Any
) -> None:
    """The chips and fields are drawn by the browser (pages/filter_bar.js): a count that
    changes live is patched into its chip, so the focus stays on it, and what a field holds
    is never reset by the server."""
    server.add_user("uma@example.com", PASSWORD, "MAINTAINER")

    def file(title: str) -> None:
        with server.connected(), services.session() as s:
            me = services.users.actor_for(s, email="uma@example.com")
            services.issues.create_issue(s, me, {"title": title, "severity": "LOW"})

    file("Printer jams")
    page = signed_in(browser, server, "uma@example.com", PASSWORD)
    page.wait_for_function("() => window.did_handshake === true")
    chip = page.get_by_role("button", name="Show only Open issues")
    done = page.get_by_role("button", name="Show only Done issues")
    expect(chip).to_have_text(re.compile(r"Open · \d+"))
    opened = int(chip.inner_text().rsplit("·", 1)[1])  # the file's other tests file some too
    chip.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=OPEN"))
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(done).to_have_attribute("aria-pressed", "false")
    expect(done).to_have_class(re.compile(r"q-chip--outline"))  # the others step back
    status = page.locator(".q-select", has=page.get_by_text("Status", exact=True))
    expect(status).to_contain_text("Open")  # the field says the same
    file("Scanner smokes")  # arrives live: the count changes under the focused chip
    expect(chip).to_have_text(re.compile(rf"Open · {opened + 1}$"))
    expect(chip).to_be_focused()
    page.keyboard.press(" ")  # pressed again: every status
    expect(chip).to_have_attribute("aria-pressed", "false")
    expect(page).not_to_have_url(re.compile(r"status="))

    search = page.get_by_label("Search issues, comments and files")
    search.fill("printer")
    expect(page).to_have_url(re.compile(r"q=printer"))
    expect(page.get_by_text("Scanner smokes")).to_be_hidden()
    search.press_sequentially(" jam")  # half typed when the next change arrives
    file("Printer is offline")
    expect(chip).to_have_text(re.compile(rf"Open · {opened + 2}$"))
    expect(search).to_have_value("printer jam")
    expect(search).to_be_focused()


TRACE = """Traceback (most recent call last):
  File "app/export.py", line 12, in render
    pdf = build(invoice)
ZeroDivisionError: division by zero"""


def test_pages_just_opened_are_not_sent_their_tables_again(server: Server, browser: Any) -> None:
    """Quasar's tables report their pagination once drawn; taking that as a change sent each
    table whole again and redrew it (losing a keyboard user's place)."""
    server.add_user("ted@example.com", PASSWORD, "MAINTAINER")
    with server.connected(), services.session() as s:
        me = services.users.actor_for(s, email="ted@example.com")
        for severity in ("LOW", "HIGH"):
            services.issues.create_issue(
                s,
                me,
                {
                    "title": f"Export crashes ({severity})",
                    "severity": severity,
                    "description": TRACE,
                },
            )
    page = signed_in(browser, server, "ted@example.com", PASSWORD)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    for path, shown in (("/", "Export crashes (LOW)"), ("/insights", "ZeroDivisionError")):
        page.goto(f"{server.url}{path}")
        expect(page.get_by_text(shown).first).to_be_visible()
        page.wait_for_function("() => window.did_handshake === true")
        frames.clear()
        page.wait_for_timeout(1000)  # what the page's tables report arrives by now
        assert not [f[:80] for f in frames if "nicegui-table" in f], path


def test_a_duplicate_is_marked_by_number_from_the_keyboard_on_a_phone(
    server: Server, browser: Any
) -> None:
    server.add_user("dee@example.com", PASSWORD, "MAINTAINER")
    with server.connected(), services.session() as s:
        me = services.users.actor_for(s, email="dee@example.com")
        original = services.issues.create_issue(s, me, {"title": "Totals are off by a cent"})
        copy = services.issues.create_issue(s, me, {"title": "Rounding in the invoice sum"})
    page = signed_in(browser, server, "dee@example.com", PASSWORD, width=390)
    page.goto(f"{server.url}/issues/{copy.id}")
    page.wait_for_function("() => window.did_handshake === true")
    button = page.get_by_role("button", name="Mark as duplicate…")
    button.focus()
    page.keyboard.press("Enter")
    number = page.get_by_label("Of issue #")
    expect(number).to_be_visible()
    expect(number).to_be_focused()  # type at once
    page.keyboard.type(str(original.id))
    page.keyboard.press("Enter")
    expect(page.get_by_text("reopen this issue to undo")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{original.id}", exact=True)).to_be_visible()
    expect(number).to_have_count(0)
    expect(page.get_by_role("button", name="Mark as duplicate…")).to_have_count(0)
