"""`/admin/webhooks` (ADMIN): endpoints that receive signed JSON when issues change — add,
delete, pause and resume them, and see each delivery's attempts, with a re-send."""

from __future__ import annotations

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import permissions
from services.webhooks import EVENTS, DeliveryView, WebhookCreate, WebhookView

from .components import PageDialog, answer, page_heading, when
from .frame import frame, page
from .redirects import login_url
from .viewer import Viewer, viewer_for

STATUS_COLOURS = {
    "delivered": "positive",
    "failed": "negative",
    "pending": "warning",
    "skipped": "grey",
}


def register() -> None:
    @page("/admin/webhooks")
    async def admin_webhooks(request: Request) -> Response | None:
        viewer = await viewer_for(request)
        if viewer is None:
            return RedirectResponse(login_url("/admin/webhooks"), status_code=303)
        with frame(viewer, "Webhooks"):
            if not permissions.can_manage_users(viewer.actor):
                ui.label("Only administrators can manage webhooks.")
                return None
            await WebhooksPanel(viewer).build()
        return None


class WebhooksPanel:
    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.shown: int | None = None  # the endpoint whose deliveries are shown

    async def build(self) -> None:
        with ui.row().classes("w-full items-center"):
            page_heading("Webhooks")
            ui.space()
            ui.link("Background jobs", "/admin/jobs")
        ui.label(
            "Each change you choose is POSTed as JSON to the URL, signed with the secret "
            "(X-Tracker-Signature-256, over X-Tracker-Timestamp and the body). Payloads show "
            "the issue as you see it, with secrets masked. Failed deliveries are retried; an "
            "endpoint that keeps failing is paused."
        ).classes("text-sm opacity-70")
        with ui.card().classes("w-full"):
            ui.label("Add an endpoint").classes("font-medium")
            with ui.row().classes("w-full items-end gap-4"):
                self.url = ui.input("URL (https://...)").classes("grow").mark("webhook-url")
                self.secret = (
                    ui.input("Secret (16+ characters)", password=True)
                    .classes("w-64")
                    .mark("webhook-secret")
                )
            with ui.row().classes("gap-2"):
                self.events = {
                    name: ui.checkbox(name, value=True).mark(f"event-{name}") for name in EVENTS
                }
            ui.button("Add endpoint", icon="add", on_click=self.add).mark("webhook-add")
        self.box = ui.column().classes("w-full gap-2")
        self.deliveries = ui.column().classes("w-full gap-1")
        await self.refresh()

    async def refresh(self) -> None:
        result = await self.viewer.query(services.webhooks.list_endpoints)
        if result.value is None or self.box.is_deleted:
            return
        self.box.clear()
        with self.box:
            if not result.value:
                ui.label("No endpoints yet.").classes("opacity-70")
            for hook in result.value:
                self._endpoint(hook)
        await self.show_deliveries()

    def _endpoint(self, hook: WebhookView) -> None:
        with ui.card().classes("w-full"), ui.row().classes("w-full items-center gap-3"):
            ui.icon("pause_circle" if hook.paused else "check_circle").props(
                f"color={'warning' if hook.paused else 'positive'}"
            )
            with ui.column().classes("gap-0 grow"):
                ui.label(hook.url).classes("font-medium break-all")
                state = (
                    f"paused {when(hook.paused_at)}" if hook.paused and hook.paused_at else "active"
                )
                ui.label(
                    f"{', '.join(hook.events)} · {state} · {hook.failures} failures in a row · "
                    f"as {hook.owner.shown_name}"
                ).classes("text-sm opacity-70")
            buttons = [
                ("Deliveries", "list", self.select, "deliveries"),
                (
                    ("Resume", "play_arrow", self.resume, "resume")
                    if hook.paused
                    else ("Pause", "pause", self.pause, "pause")
                ),
                ("Delete", "delete", self.delete, "delete"),
            ]
            for text, icon, action, mark in buttons:
                button = ui.button(
                    text, icon=icon, on_click=lambda a=action, i=hook.id: a(i)
                ).props("flat dense no-caps")
                button.props["aria-label"] = f"{text}: {hook.url}"
                button.mark(f"{mark}-{hook.id}")

    async def add(self) -> None:
        try:
            data = WebhookCreate(
                url=self.url.value or "",
                secret=self.secret.value or "",
                events=[name for name, box in self.events.items() if box.value],
            )
        except ValueError as e:
            first = e.errors()[0] if hasattr(e, "errors") else {}
            where = ".".join(str(p) for p in first.get("loc", ())) or "input"
            ui.notify(f"{where}: {first.get('msg', e)}", type="negative")
            return
        result = await self.viewer.call(services.webhooks.create_endpoint, data)
        if result.ok:
            self.url.value = ""
            self.secret.value = ""
            ui.notify("Endpoint added.", type="positive")
            await self.refresh()

    async def pause(self, endpoint_id: int) -> None:
        if (await self.viewer.call(services.webhooks.pause_endpoint, endpoint_id)).ok:
            ui.notify("Paused: deliveries wait until you resume.")
            await self.refresh()

    async def resume(self, endpoint_id: int) -> None:
        if (await self.viewer.call(services.webhooks.resume_endpoint, endpoint_id)).ok:
            ui.notify("Resumed: waiting deliveries are being sent.", type="positive")
            await self.refresh()

    async def delete(self, endpoint_id: int) -> None:
        with PageDialog() as dialog, ui.card():
            ui.label("Delete this endpoint and its deliveries?")
            with ui.row():
                ui.button("Delete", on_click=lambda: dialog.submit(True)).props(
                    "color=negative"
                ).mark("delete-confirm")
                ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
        if not await answer(dialog):
            return
        if (await self.viewer.call(services.webhooks.delete_endpoint, endpoint_id)).ok:
            if self.shown == endpoint_id:
                self.shown = None
            ui.notify("Endpoint deleted.")
            await self.refresh()

    async def select(self, endpoint_id: int) -> None:
        self.shown = endpoint_id
        await self.show_deliveries()

    async def show_deliveries(self) -> None:
        if self.deliveries.is_deleted:
            return
        self.deliveries.clear()
        if self.shown is None:
            return
        result = await self.viewer.query(services.webhooks.list_deliveries, self.shown)
        if result.value is None:
            return
        with self.deliveries:
            with ui.row().classes("w-full items-center mt-4"):
                ui.label("Deliveries").classes("text-lg font-semibold")
                ui.space()
                ui.button("Reload", icon="refresh", on_click=self.show_deliveries).props(
                    "flat dense no-caps"
                ).mark("deliveries-reload")
            if not result.value:
                ui.label("Nothing was sent to this endpoint yet.").classes("opacity-70")
            for delivery in result.value:
                self._delivery(delivery)

    def _delivery(self, d: DeliveryView) -> None:
        with ui.row().classes("w-full items-center gap-3 text-sm"):
            ui.badge(d.status.value, color=STATUS_COLOURS.get(d.status.value, "grey"))
            ui.label(f"{d.event} · #{d.issue_id} · {when(d.created_at)}")
            tries = " · ".join(f"{a.status_code or '—'} in {a.duration_ms} ms" for a in d.attempts)
            ui.label(tries or "not tried yet").classes("opacity-70 grow")
            if d.error:
                ui.label(d.error).classes("text-negative")
            button = ui.button(
                "Re-send", icon="send", on_click=lambda i=d.id: self.resend(i)
            ).props("flat dense no-caps")
            button.props["aria-label"] = f"Re-send delivery {d.id}"
            button.mark(f"resend-{d.id}")

    async def resend(self, delivery_id: int) -> None:
        if (await self.viewer.call(services.webhooks.resend_delivery, delivery_id)).ok:
            ui.notify("Sending again.", type="positive")
            await self.show_deliveries()
