"""`/forgot` and `/reset`: a forgotten password. With mail configured, a reset link is
mailed (services.recovery); without, the page says to ask an administrator."""

from __future__ import annotations

from nicegui import ui
from starlette.requests import Request

import services

from .components import page_heading
from .frame import frame, page
from .requests import client_address
from .signin import run_auth

RESET_ASKS = services.throttle.RateLimit(limit=10, window=3600)  # per network address
SENT = (
    "If an account uses this address, a mail with a link to choose a new password is on its "
    "way. The link works for an hour. Nothing arrived? Check the spam folder, or ask an "
    "administrator."
)


def register() -> None:
    @page("/forgot")
    async def forgot_page(request: Request) -> None:
        address = client_address(request)
        with frame(None, "Forgot password"), ui.card().classes("w-full max-w-sm self-center"):
            page_heading("Forgot your password?").classes(replace="text-xl font-semibold")
            if not services.recovery.by_mail():
                ui.label(services.recovery.NO_MAIL)
                ui.link("Back to sign in", "/login").classes("text-sm")
                return
            ui.label("Enter the email address you sign in with.").classes("text-sm")
            email = ui.input("Email").props("type=email autocomplete=username autofocus")
            note = ui.label().classes("text-sm").props('role="status"')

            async def submit() -> None:
                if not RESET_ASKS.hit(address):
                    note.text = "Too many requests from your network; try again later."
                    return

                def work() -> None:
                    with services.session() as s:
                        services.recovery.request_reset(s, email.value or "")

                try:
                    await run_auth(work)
                except services.InvalidInput as e:
                    note.text = e.message
                    return
                note.text = SENT
                button.disable()

            email.on("keydown.enter", submit)
            button = ui.button("Send me a link", on_click=submit).classes("w-full")
            ui.link("Back to sign in", "/login").classes("text-sm")

    @page("/reset")
    async def reset_page(token: str = "") -> None:
        def account() -> str:
            with services.session() as s:
                return services.recovery.account_for(s, token)

        with frame(None, "Choose a new password"), ui.card().classes("w-full max-w-sm self-center"):
            page_heading("Choose a new password").classes(replace="text-xl font-semibold")
            try:
                email = await run_auth(account)
            except services.InvalidInput as e:
                ui.label(e.message)
                ui.link("Ask for a new link", "/forgot").classes("text-sm")
                return
            ui.label(f"For {email}").classes("text-sm opacity-80")
            first = ui.input("New password", password=True, password_toggle_button=True)
            first.props("autocomplete=new-password autofocus")
            again = ui.input("New password again", password=True).props("autocomplete=new-password")
            ui.label("At least 8 characters; common passwords are refused.").classes(
                "text-xs opacity-70"
            )
            error = ui.label().classes("text-negative text-sm").props('role="alert"')

            async def submit() -> None:
                if (first.value or "") != (again.value or ""):
                    error.text = "The two passwords differ; type the same one twice."
                    return

                def work() -> str:
                    with services.session() as s:
                        return services.recovery.reset_password(s, token, first.value or "")

                try:
                    await run_auth(work)
                except services.InvalidInput as e:
                    error.text = e.message
                    return
                ui.notify("Password changed. Sign in with the new one.", type="positive")
                ui.navigate.to("/login")

            again.on("keydown.enter", submit)
            ui.button("Set password", on_click=submit).classes("w-full")
