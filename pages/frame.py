"""The shared layout: header with navigation per role, user menu, dark mode, shortcuts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nicegui import app, ui
from nicegui.events import ValueChangeEventArguments

import services
from services import permissions

from . import head, markup, shortcuts
from .bell import Bell
from .charts import CHART_CSS
from .components import LINK_CSS, MARKDOWN_CSS, PRIMARY
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


# How long a page may take to build (NiceGUI's default is 3 s). After that NiceGUI answers
# with a 500 and its own error page, whose text is meant for developers ("The page took
# longer than the response_timeout..."): on a busy server a slow page serves people better.
# A build that takes longer still ends there (a database that never answers).
BUILD_SECONDS = 20.0


def page(path: str) -> ui.page:
    """Every page's route: NiceGUI's, with the longer time to build."""
    return ui.page(path, response_timeout=BUILD_SECONDS)


@contextmanager
def frame(viewer: Viewer | None, title: str) -> Iterator[ui.column]:
    """Header and a centred content column; yields the column. Kept to few elements: every
    element costs memory on every open page."""
    ui.page_title(f"{title} · Issues & Insights Tracker")
    dark = ui.dark_mode(_dark_preference())
    with ui.header().classes("items-center gap-1 px-2 sm:px-4 py-2") as header:
        # The skip link (keyboard users skip the header's links: shown when it has the
        # focus), the name and the first link; filled in once the content has its id.
        lead = ui.html("", sanitize=False).classes("contents")
        links = [n for n in NAV if viewer and (n[3] is None or n[3](viewer.actor))]
        if viewer is not None:  # their buttons are in `lead`
            _phone_menu(links)
            ViewsMenu(viewer)  # the saved views, next to the list they open
        HeaderEnd(viewer, links[1:], dark)
        if viewer is not None:
            shortcuts.Shortcuts(header)
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4") as content:
        content.props("tabindex=-1")  # where the skip link puts the focus
        menus = PHONE_MENU + ViewsMenu.BUTTON if viewer is not None else ""
        lead.set_content(SKIP_LINK.format(id=content.id) + BRAND + _nav_markup(links[:1]) + menus)
        lead.on("click", js_handler=SKIP_CLICKED.replace("{id}", str(content.id)))
        yield content


def register() -> None:
    """What every page shares, set once per process rather than on each page (where it cost
    an element and a copy of the styles for as long as the page was open): the primary
    colour and our styles."""
    app.colors(primary=PRIMARY)
    css = MARKDOWN_CSS + CHART_CSS + LINK_CSS + SKIP_CSS + markup.CARD_CSS
    head.share_css(css)
    shortcuts.register()


SKIP_LINK = '<a href="#c{id}" class="nicegui-link skip-link">Skip to content</a>'
# The skip link moves the focus, not only the view, to the content.
SKIP_CLICKED = """(e) => {
  if (!e.target.closest(".skip-link")) return;
  e.preventDefault();
  document.getElementById("c{id}").focus();
}"""
BRAND = (
    '<a href="/" class="nicegui-link text-lg font-bold text-white no-underline mr-2'
    ' max-sm:hidden">Issues &amp; Insights</a>'
)


def _account(name: str) -> str:
    """The account link (the name beside the icon, on a phone the icon alone) and sign-out:
    a real form POST, as signing out is a state change that no GET (a link or an image in
    someone's Markdown) may make."""
    account = markup.button(
        "account_circle",
        'href="/account" aria-label="Your account"',
        label=markup.span(name, "ml-2 max-sm:hidden"),
        tag="a",
        classes="text-white q-btn--rectangle q-btn--no-uppercase",
        spaced=False,  # the name has its own margin: none on a phone, where it is hidden
    )
    sign_out = markup.button(
        "logout",
        'type="submit" aria-label="Sign out" title="Sign out"',
        classes="text-white q-btn--round",
    )
    return f'{account}<form method="post" action="/auth/logout">{sign_out}</form>'


# The header's links are plain links drawn as Quasar's flat buttons: they open in a new tab,
# work while the page reconnects, and cost one element for several (every element costs
# memory on every open page).
SHORTCUT_HINTS = {"/issues/new": " (shortcut: n; ? lists them all)"}


def _nav_markup(links: list[Nav]) -> str:
    return "".join(
        markup.button(
            icon,
            f'href="{path}" title="{markup.text(label + SHORTCUT_HINTS.get(path, ""))}"',
            label=markup.span(label, "block"),
            tag="a",
            classes="text-white q-btn--rectangle q-btn--no-uppercase max-sm:hidden",
        )
        for label, path, icon, _ in links
    )


# The menus' buttons are markup in the header's first element; each menu opens from its
# button (Quasar's `target`), wherever the menu itself is.
PHONE_MENU = markup.button(
    "menu",
    'type="button" id="phone-menu" aria-label="Menu"',
    classes="text-white q-btn--round sm:hidden",
)


def _phone_menu(links: list[Nav]) -> None:
    """On a phone the navigation folds into one menu button: one header row, not three.
    Its items are made when it first opens: most pages never open it, and each element
    costs memory on every open page (docs/performance.md, "Memory per page")."""
    menu = ui.menu().props('target="#phone-menu"')

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


class HeaderEnd:
    """The rest of the header's links, the theme's button, the bell and the account, as one
    element (every element costs memory on every open page); drawn again when the theme
    or the unread count changes."""

    def __init__(self, viewer: Viewer | None, links: list[Nav], dark: ui.dark_mode) -> None:
        self.viewer, self.links, self.dark = viewer, links, dark
        self.bell = Bell(viewer, self.redraw) if viewer is not None else None
        self.html = ui.html("", sanitize=False).classes("contents")
        self.html.on("click", self._toggle, js_handler=THEME_CLICKED)
        self.html.mark("account")
        self.draw()

    def draw(self) -> None:
        parts = [_nav_markup(self.links), _theme(self.dark.value)]
        if self.viewer is not None and self.bell is not None:
            parts += [self.bell.markup(), _account(self.viewer.actor.shown_name)]
        self.html.set_content("".join(parts))

    async def redraw(self) -> None:
        """Draw anew, the keyboard's focus kept on the link or button that had it (the new
        markup replaces the old, and the focus would go back to the start of the page)."""
        items = f'document.querySelectorAll("#c{self.html.id} a, #c{self.html.id} button")'
        try:
            had = await self.html.client.run_javascript(
                f"return [...{items}].indexOf(document.activeElement)"
            )
        except TimeoutError:
            had = -1
        self.draw()
        if isinstance(had, int) and had >= 0:
            self.html.client.run_javascript(f"{items}[{had}]?.focus()")

    async def _toggle(self) -> None:
        self.dark.value = _NEXT_THEME[self.dark.value]
        app.storage.user["dark"] = self.dark.value
        await self.redraw()


THEME_CLICKED = """(e) => {
  if (e.target.closest("[data-theme]")) emit();
}"""


def _theme(value: bool | None) -> str:
    icon, label = _THEME_LOOK[value]
    return markup.button(
        icon,
        f'type="button" aria-label="{markup.text(label)}" title="{markup.text(label)}" data-theme',
        classes="text-white q-btn--round ml-auto",
    )
