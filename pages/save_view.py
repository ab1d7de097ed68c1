""" "Save view" on the issue list: names the list's filters and sort (what its URL holds), and
the name dialog that saving and renaming share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

import services
from services import filters, permissions
from services.schemas import MAX_VIEW_NAME
from services.views import ViewInfo

from .components import PageDialog, answer
from .view_menu import ViewsMenu
from .viewer import Result, Viewer

# (name, replace an own view of that name, share it) -> the saved view or why not
Save = Callable[[str, bool, bool], Awaitable[Result[ViewInfo]]]


def save_view_action(
    viewer: Viewer, current: Callable[[], services.IssueQuery]
) -> Callable[[], Awaitable[None]]:
    """What "Save view" does for the list whose query `current` returns; the header's saved
    views highlight the one that matches it."""
    ViewsMenu.follow(current)

    async def save() -> None:
        query = filters.url_of(current())

        def attempt(name: str, replace: bool, shared: bool) -> Awaitable[Result[ViewInfo]]:
            data = {"name": name, "query": query, "shared": shared, "replace": replace}
            return viewer.call(services.views.save_view, data, quiet=True)

        saved = await ask_name(
            "Save this list as a view",
            "Save",
            attempt,
            can_replace=True,
            can_share=permissions.can_share_views(viewer.actor),
        )
        if saved is not None:
            ui.notify(f"Saved the view “{saved.name}”.", type="positive")

    return save


async def ask_name(
    title: str,
    action: str,
    save: Save,
    *,
    name: str = "",
    can_replace: bool = False,
    can_share: bool = False,
) -> ViewInfo | None:
    """Ask for a view's name and `save` it; Enter saves. A name refused stays in the dialog,
    its reason under the field (a name in use offers to replace that view, if allowed)."""
    with PageDialog() as dialog, ui.card().classes("w-full max-w-sm"):
        ui.label(title).classes("text-lg font-semibold")
        field = ui.input("Name", value=name).classes("w-full").mark("view-name")
        field.props(f"autofocus maxlength={MAX_VIEW_NAME}")
        shared = ui.checkbox("Share with everyone").mark("view-shared") if can_share else None
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=lambda: dialog.submit(None)).props("flat")
            replace = ui.button("Replace it").props("flat color=negative").mark("view-replace")
            submit = ui.button(action).mark("view-submit")
    replace.set_visibility(False)

    async def attempt(replacing: bool) -> None:
        result = await save(field.value or "", replacing, bool(shared and shared.value))
        if result.ok:
            dialog.submit(result.value)
            return
        error = result.error
        if isinstance(error, services.Conflict | services.InvalidInput):
            field.error = error.message
            replace.set_visibility(can_replace and isinstance(error, services.Conflict))
        elif error is not None:
            ui.notify(error.message, type="negative")

    def edited() -> None:
        field.error = None
        replace.set_visibility(False)

    submit.on_click(lambda: attempt(False))
    replace.on_click(lambda: attempt(True))
    field.on("keydown.enter", lambda: attempt(False))
    field.on_value_change(edited)
    saved: ViewInfo | None = await answer(dialog)
    return saved
