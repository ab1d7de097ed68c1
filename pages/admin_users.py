"""`/admin/users` (ADMIN): find, create, change role, deactivate/reactivate, reset password,
unlock. Every action goes through `services.users`, which checks the role again."""

from __future__ import annotations

import secrets
from typing import Any

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import Role, permissions

from .components import PageDialog, answer, page_heading, when
from .frame import frame, page
from .redirects import login_url
from .viewer import Viewer, viewer_for

ROLES = {r.value: r.value.capitalize() for r in Role}
PAGE_SIZE = 50
SELF_LOCKOUT = "You cannot change your own role or deactivate yourself; ask another admin."


def register() -> None:
    @page("/admin/users")
    async def admin_users(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/admin/users"), status_code=303)
        with frame(viewer, "Users"):
            if not permissions.can_manage_users(viewer.actor):
                ui.label("Only administrators can manage users.")
                return None
            await UserAdmin(viewer).build()
        return None


class UserAdmin:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.q = ""
        self.page = 1

    async def build(self) -> None:
        with ui.row().classes("w-full items-baseline gap-4"):
            page_heading("Users")
            ui.link("Tags: rename or merge", "/admin/tags").classes("text-sm")
        self._create_form()
        with ui.row().classes("w-full items-center gap-2"):
            ui.input("Find by email or name", on_change=self.search).props(
                "clearable debounce=300 dense"
            ).classes("min-w-64")
            self.total = ui.label()
        self.list_box = ui.column().classes("w-full gap-1")
        await self.reload()

    def _create_form(self) -> None:
        with ui.expansion("Create a user", icon="person_add").classes("w-full"):
            with ui.row().classes("items-end gap-2"):
                email = ui.input("Email").props("type=email")
                name = ui.input("Full name")
                role = ui.select(ROLES, value="REPORTER", label="Role").classes("w-36")
                password = ui.input("Password (empty: generate)", password=True)

            async def create() -> None:
                chosen = password.value or secrets.token_urlsafe(12)
                result = await self.viewer.call(
                    services.users.create_user,
                    {
                        "email": email.value or "",
                        "full_name": name.value or "",
                        "role": role.value,
                        "password": chosen,
                    },
                )
                if result.value is None:
                    return
                email.value = name.value = password.value = ""
                await self.reload()
                reveal(f"Created {result.value.email}.", chosen)

            ui.button("Create", icon="add", on_click=create)

    async def search(self, e: Any) -> None:
        self.q = (e.value or "").strip()
        self.page = 1
        await self.reload()

    async def reload(self) -> None:
        result = await self.viewer.call(
            services.users.list_users, q=self.q or None, page=self.page, page_size=PAGE_SIZE
        )
        if result.value is None:
            return
        page = result.value
        self.total.text = f"{page.total} users"
        self.list_box.clear()
        with self.list_box:
            for user in page.items:
                self._row(user)
            pages = max(1, -(-page.total // PAGE_SIZE))
            if pages > 1:
                ui.pagination(1, pages, value=self.page, on_change=self.go)

    async def go(self, e: Any) -> None:
        self.page = int(e.value)
        await self.reload()

    def _row(self, user: services.UserView) -> None:
        name = user.shown_name
        mine = user.id == self.viewer.actor.id
        with ui.row().classes("w-full items-center gap-3 border-b py-1"):
            with ui.column().classes("gap-0 grow min-w-0 wrap-anywhere"):
                ui.label(name).classes("font-medium")
                ui.label(f"{user.email} · joined {when(user.created_at)}").classes(
                    "text-xs opacity-70"
                )
            role = ui.select(
                ROLES,
                value=user.role.value,
                on_change=lambda e, u=user: self.update(u, e.sender, role=e.value),
            ).classes("w-36")
            role.props("dense")
            role.props["aria-label"] = f"Role of {name}"
            active = ui.switch(
                "Active",
                value=user.is_active,
                on_change=lambda e, u=user: self.update(u, e.sender, is_active=e.value),
            )
            # User text goes into a prop's value, never into a props string it could break out of.
            active.props["aria-label"] = (
                f"{'Deactivate' if user.is_active else 'Reactivate'} {name}"
            )
            if mine:  # the service refuses it too; here it is not even offered
                role.disable()
                active.disable()
                role.tooltip(SELF_LOCKOUT)
                active.tooltip(SELF_LOCKOUT)
            if user.locked_until is not None:
                unlock = ui.button(
                    "Unlock", icon="lock_open", on_click=lambda u=user: self.unlock(u)
                )
                unlock.props("flat dense")
                unlock.props["aria-label"] = f"Unlock {name}"
            if mine:  # your own password is changed on /account, with the current one
                ui.link("Change my password", "/account").classes("text-sm")
            else:
                reset = ui.button(
                    "Reset password", icon="password", on_click=lambda u=user: self.reset(u)
                ).props("flat dense")
                reset.props["aria-label"] = f"Reset the password of {name}"

    async def update(self, user: services.UserView, control: Any, **change: Any) -> None:
        if all(getattr(user, k) == v for k, v in change.items()):
            return
        if not await confirm(_question(user, change)):
            stored = getattr(user, next(iter(change)))
            control.value = stored.value if isinstance(stored, Role) else stored  # as stored
            return
        result = await self.viewer.call(services.users.update_user, user.id, change)
        if result.ok:
            ui.notify(f"Updated {user.email}.", type="positive")
        await self.reload()

    async def unlock(self, user: services.UserView) -> None:
        if (await self.viewer.call(services.users.unlock_user, user.id)).ok:
            ui.notify(f"Unlocked {user.email}.", type="positive")
        await self.reload()

    async def reset(self, user: services.UserView) -> None:
        password = secrets.token_urlsafe(12)
        result = await self.viewer.call(services.users.update_user, user.id, {"password": password})
        if result.ok:
            reveal(
                f"New password for {user.email} (their sessions and tokens have ended).", password
            )


def _question(user: services.UserView, change: dict[str, Any]) -> str:
    name = user.shown_name
    if "role" in change:
        return (
            f"Change the role of {name} from {ROLES[user.role.value]} to {ROLES[change['role']]}? "
            "Their sessions and API tokens end."
        )
    if change.get("is_active"):
        return f"Reactivate {name}? They can sign in again."
    return f"Deactivate {name}? They are signed out everywhere and cannot sign in."


async def confirm(question: str) -> bool:
    """Ask before a change that signs someone out; False when dismissed."""
    with PageDialog() as dialog, ui.card():
        ui.label(question)
        with ui.row().classes("justify-end w-full"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            ui.button("Confirm", on_click=lambda: dialog.submit(True))
    return bool(await answer(dialog))


def reveal(message: str, password: str) -> None:
    """Show a generated password once."""
    with ui.dialog(value=True) as dialog, ui.card():
        ui.label(message)
        ui.input("Password", value=password).props("readonly").classes("w-full")
        ui.label("It is shown only this once.").classes("text-xs opacity-70")
        ui.button("Done", on_click=dialog.close)
