"""The notification preferences card of `/account`."""

from __future__ import annotations

from nicegui import ui

import services

from .viewer import Viewer

EMAIL = {
    "immediate": "At once (changes within a few minutes come as one mail)",
    "digest": "Once a day, a digest",
    "off": "Never (in the app only)",
}
NEW_ISSUES = {
    "none": "No",
    "high": "Only HIGH and CRITICAL ones",
    "all": "Every new issue",
}


async def notification_card(viewer: Viewer) -> None:
    result = await viewer.query(services.notify.get_preferences)
    prefs = result.value or services.notify.Preferences()
    with ui.card().classes("w-full max-w-md"):
        ui.label("Notifications").classes("text-lg font-semibold")
        ui.label("Never about your own changes, and only about issues you may see.").classes(
            "text-xs opacity-70"
        )
        mine = ui.checkbox(
            "Issues I reported: status changes and staff comments", value=prefs.my_issues
        )
        assigned = ui.checkbox(
            "Issues assigned to me: the assignment, changes and comments", value=prefs.assigned
        )
        mentions = ui.checkbox("Comments that @mention me", value=prefs.mentions)
        new_issues = ui.select(NEW_ISSUES, value=prefs.new_issues, label="New issues").classes(
            "w-full"
        )
        new_issues.set_visibility(viewer.is_staff)
        email = ui.select(EMAIL, value=prefs.email, label="Email").classes("w-full")

        async def save() -> None:
            saved = await viewer.call(
                services.notify.update_preferences,
                {
                    "my_issues": bool(mine.value),
                    "assigned": bool(assigned.value),
                    "mentions": bool(mentions.value),
                    "new_issues": new_issues.value or "none",
                    "email": email.value or "immediate",
                },
            )
            if saved.ok:
                ui.notify("Notification preferences saved.", type="positive")

        ui.button("Save notification preferences", icon="notifications", on_click=save)
