"""`/account`: change your password; create or revoke personal API tokens; choose what you
are notified about and how mail reaches you."""

from __future__ import annotations

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services

from .api_tokens import TokenCard
from .components import page_heading
from .frame import frame, page
from .notification_prefs import notification_card
from .redirects import login_url
from .signin import Login, complete_login, run_auth
from .viewer import Viewer, viewer_for


def register() -> None:
    @page("/account")
    async def account(request: Request, changed: str = "") -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/account"), status_code=303)
        agent = request.headers.get("user-agent", "")
        with frame(viewer, "Account"):
            page_heading("Your account")
            me = viewer.actor
            ui.label(f"{me.shown_name} · {me.email} · {me.role.capitalize()}").classes(
                "wrap-anywhere"
            )
            if changed == "password":
                with ui.card().classes("w-full max-w-md bg-positive text-white"):
                    ui.label("Password changed. Your other sessions and API tokens have ended.")
            password_card(viewer, agent)
            tokens = TokenCard(viewer)
            await tokens.load()
            await notification_card(viewer)
        return None


def password_card(viewer: Viewer, agent: str) -> None:
    with ui.card().classes("w-full max-w-md"):
        ui.label("Change password").classes("text-lg font-semibold")
        current = ui.input("Current password", password=True).props("autocomplete=current-password")
        new = ui.input("New password", password=True).props("autocomplete=new-password")
        again = ui.input("New password again", password=True).props("autocomplete=new-password")
        ui.label("Changing it signs you out everywhere and revokes your API tokens.").classes(
            "text-xs opacity-70"
        )

        async def change() -> None:
            if (new.value or "") != (again.value or ""):
                ui.notify("The new passwords do not match.", type="negative")
                return
            result = await viewer.call(
                services.users.change_password, current.value or "", new.value or ""
            )
            if not result.ok:
                return
            email, password = viewer.actor.email, new.value or ""

            def sign_in_again() -> Login:
                with services.session() as s:
                    token, _ = services.auth.login(s, email, password, user_agent=agent)
                return Login(session=token, device="")

            login = await run_auth(sign_in_again)  # this browser stays signed in
            ui.notify(
                "Password changed; other sessions and API tokens have ended.", type="positive"
            )
            complete_login(login, "/account?changed=password")

        ui.button("Change password", on_click=change)
