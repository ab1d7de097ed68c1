"""The shared layout: header with navigation per role, user menu, dark mode, shortcuts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape

from nicegui import app, ui
from nicegui.events import ValueChangeEventArguments

import services
from services import permissions

from . import markup
from .bell import Bell
from .charts import CHART_CSS
from .components import LINK_CSS, MARKDOWN_CSS, PRIMARY
from .shortcuts import Shortcuts
from .view_menu import ViewsMenu
from .viewer import Viewer

# label, path, icon, and who sees the link (None: everyone); the pages check again.
Nav = tuple[str, str, str, Callable[[services.Actor], bool] | None]
NAV: list[Nav] = [
    ("Issues", "/", "list", None),
    ("New issue", "/issues/new", "add_circle", None),
    ("Dashboard", "/dashboard", "dashboard", None),
    ("Insights", "/insights", "insights", permissions.is_staff),
    ("Users", "/admin/users", "manage_accounts", permissions.can_manage_users),
    ("Jobs", "/admin/jobs", "schedule", permissions.can_run_jobs),
]


@contextmanager
def frame(viewer: Viewer | None, title: str) -> Iterator[ui.column]:
    """Header and a centred content column; yields the column. Kept to few elements: every
    element costs memory on every open page."""
    ui.page_title(f"{title} · Issues & Insights Tracker")
    ui.add_css(MARKDOWN_CSS + CHART_CSS + LINK_CSS + SKIP_CSS + markup.CARD_CSS)
    ui.colors(primary=PRIMARY)
    dark = ui.dark_mode(_dark_preference())
    with ui.header().classes("items-center gap-1 px-2 sm:px-4 py-2"):
        # Keyboard users skip the header's links: shown when it has the focus.
        skip = ui.link("Skip to content").classes("skip-link")
        ui.link("Issues & Insights", "/").classes(
            "text-lg font-bold text-white no-underline mr-2 max-sm:hidden"
        )
        if viewer is not None:
            links = [n for n in NAV if n[3] is None or n[3](viewer.actor)]
            _phone_menu(links)
            _nav_links(links[:1])
            ViewsMenu(viewer)  # the saved views, next to the list they open
            _nav_links(links[1:])
        theme = ui.button().props("flat round color=white").classes("ml-auto")
        theme.on_click(lambda: _toggle(dark, theme))
        _show_theme(theme, dark.value)
        if viewer is not None:
            Bell(viewer)
            who = viewer.actor.shown_name
            account = ui.button(icon="account_circle", on_click=lambda: ui.navigate.to("/account"))
            account.props('flat color=white no-caps aria-label="Your account"')
            with account:  # the name beside the icon, on a phone the icon alone
                ui.label(who).classes("ml-2 max-sm:hidden")
            # A real form POST: signing out is a state change, so no GET (a link or an
            # image in someone's Markdown) can do it.
            with ui.element("form").props('method="post" action="/auth/logout"'):
                ui.button(icon="logout").props(
                    'type=submit flat round color=white aria-label="Sign out" title="Sign out"'
                ).mark("sign-out")
            Shortcuts()
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4") as content:
        content.props("tabindex=-1")  # where the skip link puts the focus
        skip.props["href"] = f"#c{content.id}"
        skip.on(
            "click",
            js_handler=f"(e) => {{ e.preventDefault(); document.getElementById('c{content.id}')"
            ".focus(); }",
        )
        yield content


# The header's links are plain links drawn as Quasar's flat buttons: they open in a new tab,
# work while the page reconnects, and cost one element for several (every element costs
# memory on every open page).
NAV_LINK = (
    '<a href="{path}" title="{title}" class="q-btn q-btn-item non-selectable no-outline'
    " q-btn--flat q-btn--rectangle text-white q-btn--actionable q-focusable q-hoverable"
    ' q-btn--no-uppercase max-sm:hidden"><span class="q-focus-helper"></span>'
    '<span class="q-btn__content text-center col items-center justify-center row">'
    '<i class="q-icon notranslate material-icons on-left" aria-hidden="true">{icon}</i>'
    '<span class="block">{label}</span></span></a>'
)
SHORTCUT_HINTS = {"/issues/new": " (shortcut: n; ? lists them all)"}


def _nav_links(links: list[Nav]) -> None:
    markup = "".join(
        NAV_LINK.format(
            path=path,
            title=escape(label + SHORTCUT_HINTS.get(path, "")),
            icon=icon,
            label=escape(label),
        )
        for label, path, icon, _ in links
    )
    if markup:
        ui.html(markup, sanitize=False).classes("contents")  # the links: the header's items


def _phone_menu(links: list[Nav]) -> None:
    """On a phone the navigation folds into one menu button: one header row, not three.
    Its items are made when it first opens: most pages never open it, and each element
    costs memory on every open page (docs/performance.md, "Memory per page")."""
    button = ui.button(icon="menu").props('flat round color=white aria-label="Menu"')
    with button.classes("sm:hidden"):
        menu = ui.menu()

    def fill(e: ValueChangeEventArguments) -> None:
        if not e.value or menu.default_slot.children:
            return
        with menu:
            for label, path, icon, _ in links:
                item = ui.menu_item(on_click=lambda p=path: ui.navigate.to(p))
                with item.props("role=menuitem"), ui.row().classes("items-center gap-3 no-wrap"):
                    ui.icon(icon)
                    ui.label(label)

    menu.on_value_change(fill)


SKIP_CSS = """
.skip-link { position: absolute; left: -10000px; top: 8px; z-index: 10000; padding: 8px 12px;
  background: #fff; color: #1d5ea8 !important; border-radius: 4px; font-weight: 600; }
.skip-link:focus { left: 8px; }
"""


# The theme: None follows the system's setting (until the user picks one), then dark, light.
_NEXT_THEME = {None: True, True: False, False: None}
_THEME_LOOK = {
    None: ("brightness_auto", "Theme: as the system (click for dark)"),
    True: ("dark_mode", "Theme: dark (click for light)"),
    False: ("light_mode", "Theme: light (click to follow the system)"),
}


def _dark_preference() -> bool | None:
    try:
        value = app.storage.user.get("dark")
    except RuntimeError:  # no browser storage (e.g. an HTTP error page)
        return None
    return value if isinstance(value, bool) else None


def _toggle(dark: ui.dark_mode, button: ui.button) -> None:
    dark.value = _NEXT_THEME[dark.value]
    app.storage.user["dark"] = dark.value
    _show_theme(button, dark.value)


def _show_theme(button: ui.button, value: bool | None) -> None:
    icon, text = _THEME_LOOK[value]
    button.props["icon"] = icon
    button.props["aria-label"] = text
    button.props["title"] = text
    button.update()
