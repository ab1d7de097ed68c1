"""The account page's API tokens: create a named one (its value shown once, with a copy
button), the list of one's tokens (name, last characters, created, expires, last used), revoke
one, or revoke all after a confirmation."""

from __future__ import annotations

from nicegui import ui

import services
from services.tokens import DAYS, MAX_NAME, NewToken, TokenView

from .components import clear_invalid, mark_invalid, when
from .viewer import Viewer

TOKEN_DAYS = {d: ("1 year" if d == 365 else f"{d} days") for d in DAYS}


class TokenCard:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        with ui.card().classes("w-full max-w-2xl gap-3"):
            ui.label("API tokens").classes("text-lg font-semibold")
            ui.label(
                "For scripts and tools: they send the token in the Authorization header, as "
                "Bearer followed by the token. Name each one after what uses it; it is shown "
                "only once."
            ).classes("text-sm opacity-80")
            with ui.row().classes("w-full items-end gap-3"):
                self.name = ui.input("Token name").props(f"dense maxlength={MAX_NAME}")
                self.name.classes("grow min-w-48")
                self.name.on("keydown.enter", self.create)
                self.days = ui.select(TOKEN_DAYS, value=90, label="Valid for").props("dense")
                self.days.classes("w-32")
                ui.button("Create token", icon="key", on_click=self.create)
            self.rows = ui.column().classes("w-full gap-1")
            revoke_all = ui.button("Revoke all my tokens", icon="block", on_click=self.confirm)
            revoke_all.props("flat color=negative")
        self.dialog = ui.dialog()

    async def load(self) -> None:
        result = await self.viewer.call(services.tokens.list_tokens, quiet=True)
        self._show(result.value or [])

    def _show(self, tokens: list[TokenView]) -> None:
        self.rows.clear()
        with self.rows:
            if not tokens:
                ui.label("No tokens yet.").classes("text-sm opacity-70")
            for token in tokens:
                with ui.row().classes("w-full items-center gap-x-4 gap-y-0 border-b py-1"):
                    ui.label(token.name).classes("font-medium grow")
                    ui.label(f"…{token.hint}").classes("font-mono text-sm opacity-70")
                    used = when(token.last_used_at) if token.last_used_at else "never"
                    details = f"created {when(token.created_at)} · last used {used}"
                    ui.label(details).classes("text-sm opacity-80")
                    ui.label(f"expires {token.expires_at:%Y-%m-%d}").classes("text-sm")
                    button = ui.button(
                        icon="delete", on_click=lambda t=token: self.revoke(t)
                    ).props("flat round dense color=negative")
                    button.props["aria-label"] = f"Revoke token {token.name}"
                    button.tooltip("Revoke")

    async def create(self) -> None:
        clear_invalid(self.name)
        result = await self.viewer.call(
            services.tokens.create_token, self.name.value or "", days=int(self.days.value)
        )
        if result.error is not None:
            mark_invalid({"name": self.name}, result.error)
            return
        assert result.value is not None
        self.name.value = ""
        self._shown_once(result.value)
        await self.load()

    def _shown_once(self, new: NewToken) -> None:
        self.dialog.clear()
        with self.dialog, ui.card().classes("w-full max-w-xl gap-3"):
            ui.label(f"Your new token “{new.info.name}”").classes("text-lg font-semibold")
            ui.label("Copy it now: it is not shown again.").classes("text-sm")
            value = ui.input("Token", value=new.token).props("readonly").classes("w-full")
            value.props["aria-label"] = "Your new token"
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Copy", icon="content_copy", on_click=lambda: self._copy(new.token))
                ui.button("Done", on_click=self.dialog.close).props("flat")
        self.dialog.open()

    def _copy(self, value: str) -> None:
        ui.clipboard.write(value)
        ui.notify("Copied.", type="positive")

    async def revoke(self, token: TokenView) -> None:
        result = await self.viewer.call(services.tokens.revoke_token, token.id)
        if result.ok:
            ui.notify(f"Token “{token.name}” revoked.", type="positive")
        await self.load()

    def confirm(self) -> None:
        self.dialog.clear()
        with self.dialog, ui.card().classes("max-w-md gap-3"):
            ui.label("Revoke all your API tokens?").classes("text-lg font-semibold")
            ui.label("Every script and tool using one stops working at once.").classes("text-sm")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat")
                ui.button("Yes, revoke them all", on_click=self.revoke_all).props("color=negative")
        self.dialog.open()

    async def revoke_all(self) -> None:
        self.dialog.close()
        result = await self.viewer.call(services.auth.revoke_api_tokens)
        if result.ok:
            ui.notify("All your API tokens are revoked.", type="positive")
        await self.load()
