"""Read-only parts drawn as one element: an issue's heading, timeline and comments, and
lists of similar issues. Drawn with NiceGUI elements, each line cost three to seven of them (a row,
labels, a link, a badge, a card), and every element costs the server time to build and send
and memory (~4 KB) for as long as the page is open. As markup a list is one element, however
long it is.

Every value from the database or a user is escaped here (`text`); the markup around it is
ours. Rendered Markdown (a comment's body) is the one exception: it is HTML already, made by
the services' safe renderer, and shown as every description is. The browser sanitises the
result again before showing it (ui.html's DOMPurify). Quasar's `flex` class also wraps its
items: a line that must not wrap says `no-wrap`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from nicegui import ui

import services

from .components import SEVERITY_COLORS, STATUS_COLORS, STATUS_LABELS

# A card as ui.card draws it (Quasar's and NiceGUI's classes); in dark mode Quasar's card
# would add its dark classes itself, so CARD_CSS gives this one the same look.
CARD = "q-card nicegui-card markup-card"
CARD_CSS = """
.body--dark .markup-card { color: #fff; background: var(--q-dark);
  box-shadow: 0 1px 5px rgba(255,255,255,.2), 0 2px 2px rgba(255,255,255,.14),
              0 3px 1px -2px rgba(255,255,255,.12); }
"""


def text(value: object) -> str:
    """`value` as text inside markup: `<`, `&` and quotes cannot start a tag or end an
    attribute."""
    return escape(str(value), quote=True)


BADGE = "q-badge flex inline items-center no-wrap q-badge--single-line"


def status_badge(status: str, *, live: bool = False) -> str:
    """An issue's status as Quasar's badge draws it, as markup; `live`: announced when it
    changes, as Quasar's own badge is (role=status)."""
    label = STATUS_LABELS.get(status, status)
    color = STATUS_COLORS.get(status, "grey")
    role = ' role="status"' if live else ""
    return f'<span class="{BADGE} bg-{text(color)} text-white"{role}>{text(label)}</span>'


def severity_badge(severity: str) -> str:
    """The look of components.severity_badge (an outlined badge), as markup."""
    color = SEVERITY_COLORS.get(severity, "grey")
    return (
        f'<span class="{BADGE} q-badge--outline text-{text(color)}" role="status">'
        f"{text(severity.capitalize())}</span>"
    )


def chip(label: str, icon: str) -> str:
    """The look of a dense outlined ui.chip with an icon (Quasar's chip), as markup."""
    return (
        '<div class="q-chip row inline no-wrap items-center text-primary q-chip--colored '
        'q-chip--dense q-chip--outline"><i class="q-icon notranslate material-icons '
        f'q-chip__icon q-chip__icon--left" aria-hidden="true">{text(icon)}</i>'
        '<div class="q-chip__content col row no-wrap items-center q-anchor--skip">'
        f"{text(label)}</div></div>"
    )


def icon(name: str, classes: str) -> str:
    """A Material icon as ui.icon draws it."""
    return (
        f'<i class="q-icon notranslate material-icons {text(classes)}" aria-hidden="true">'
        f"{text(name)}</i>"
    )


def button(
    icon: str,
    attributes: str,
    *,
    label: str = "",
    tag: str = "button",
    classes: str = "text-primary",
    spaced: bool = True,
    look: str = "flat",
) -> str:
    """A button as Quasar draws it (ui.button(...) with `.props(look)`: "flat", "outline",
    or "standard", the filled one), as markup: a button or a link, one element for several.
    What it does is up to its `attributes` (an href, a form's submit) or a handler on the
    element that shows it, which tells the buttons apart by them (`data-action`, ACTION).
    `icon`: a Material icon's name or "" for none; `label` is markup, `spaced` from the icon
    as Quasar spaces a button's label; `classes`: its colour and shape."""
    glyph = ""
    if icon:
        glyph = (
            f'<i class="q-icon notranslate material-icons{" on-left" if label and spaced else ""}"'
            f' aria-hidden="true">{text(icon)}</i>'
        )
    return (
        f'<{tag} class="q-btn q-btn-item non-selectable no-outline q-btn--{look} {classes}'
        f' q-btn--actionable q-focusable q-hoverable" {attributes}>'
        '<span class="q-focus-helper"></span><span class="q-btn__content text-center col'
        f' items-center q-anchor--skip justify-center row">{glyph}{label}</span></{tag}>'
    )


def action(name: str, label: str, *, icon: str = "", look: str = "flat", colour: str = "") -> str:
    """A button with a text label that says what it does, as ui.button("label") draws it;
    the element showing it reads `name` from `data-action` when it is clicked (ACTION)."""
    colours = colour or ("bg-primary text-white" if look == "standard" else "text-primary")
    return button(
        icon,
        f'type="button" data-action="{text(name)}"',
        label=span(label, "block"),
        classes=f"q-btn--rectangle {colours}",
        look=look,
    )


# The click handler (js_handler) of an element showing `action` buttons: sends the name.
ACTION = """(e) => {
  const button = e.target.closest("[data-action]");
  if (button) emit(button.dataset.action);
}"""


def row(parts: Iterable[str], classes: str, attributes: str = "") -> str:
    """Items in a line as ui.row lays them out (NiceGUI's classes); `attributes` are ours."""
    return f'<div class="nicegui-row row {text(classes)}"{attributes}>{"".join(parts)}</div>'


def moment(at: dt.datetime, shown: str, classes: str) -> str:
    """A time shown as `shown` ("3 h ago"), with the exact time on hover and for machines."""
    exact = at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f'<time class="{text(classes)}" datetime="{text(at.isoformat())}" '
        f'title="{text(exact)}">{text(shown)}</time>'
    )


def link(label: str, href: str, classes: str, *, new_tab: bool = False) -> str:
    """A link that looks like ui.link's."""
    target = ' target="_blank" rel="noopener"' if new_tab else ""
    return f'<a class="nicegui-link {text(classes)}" href="{text(href)}"{target}>{text(label)}</a>'


def span(value: str, classes: str) -> str:
    return f'<span class="{text(classes)}">{text(value)}</span>'


def div(value: str, classes: str) -> str:
    """A line of text as ui.label draws it."""
    return f'<div class="{text(classes)}">{text(value)}</div>'


def show(parts: Iterable[str], *, tag: str = "div", classes: str = "") -> ui.html:
    """The markup `parts` (built by this module's functions) as one element."""
    return ui.html("".join(parts), tag=tag).classes(classes)


LINK = "min-w-0 wrap-anywhere"  # a long title breaks rather than widening the page


def similar_issue(item: services.suggest.Suggestion, *, score: bool, new_tab: bool) -> str:
    """One similar issue: its link, status, "likely the same" and why (staff: its score)."""
    parts = [
        link(f"#{item.id} {item.title}", f"/issues/{item.id}", LINK, new_tab=new_tab),
        status_badge(item.status.value),
    ]
    if item.likely_duplicate:
        parts.append(span("likely the same", "text-xs font-semibold"))
    if score:
        parts.append(span(f"{round(item.score * 100)} %", "text-xs opacity-70"))
    parts.append(span(", ".join(item.reasons), "text-xs opacity-70 min-w-0"))
    return "".join(parts)


class Parts:
    """Pieces of markup set each on its own, shown in a fixed order by one element: each
    piece in a box with its classes, left out while empty; the element hidden while all are
    (so the page's gap around it goes too)."""

    def __init__(self, boxes: dict[str, str], classes: str) -> None:
        self.boxes = boxes  # a piece's name: its box's classes
        self.pieces = dict.fromkeys(boxes, "")
        self.element = ui.html("").classes(classes)
        self.element.set_visibility(False)

    def set(self, name: str, content: str) -> None:
        if self.pieces[name] == content:
            return
        self.pieces[name] = content
        self.element.set_content(
            "".join(
                f'<div class="{text(self.boxes[n])}">{piece}</div>'
                for n, piece in self.pieces.items()
                if piece
            )
        )
        self.element.set_visibility(any(self.pieces.values()))
