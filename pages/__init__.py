"""NiceGUI pages. They call `services` off the event loop and never touch SQL or models."""

from __future__ import annotations

from nicegui import app

from . import (
    account,
    admin_jobs,
    admin_tags,
    admin_users,
    admin_webhooks,
    auth,
    config,
    dashboard,
    downloads,
    errors,
    frame,
    insights,
    issue_detail,
    issue_list,
    issue_new,
    notifications,
    page_json,
    recovery,
    saved_views,
    signatures,
    uploads,
    utilities,
)
from .config import PageConfig

__all__ = ["PageConfig", "register_all"]


def register_all(settings: PageConfig) -> None:
    """Register every page and page-side HTTP route (call once per app)."""
    config.configure(settings)
    signatures.install()
    page_json.install()
    utilities.register()
    frame.register()
    uploads.register()
    _name_the_loading_bar()
    errors.register()
    auth.register()
    issue_list.register()
    issue_new.register()
    issue_detail.register()
    downloads.register()
    dashboard.register()
    insights.register()
    admin_users.register()
    admin_jobs.register()
    admin_tags.register()
    admin_webhooks.register()
    account.register()
    notifications.register()
    recovery.register()
    saved_views.register()


def _name_the_loading_bar() -> None:
    """Quasar's loading bar (shown at the top while the page uploads a file or fetches) is a
    progressbar; screen readers announce it, so it needs a name (axe: aria-progressbar-name).
    It runs over the header, which is the primary colour that Quasar gives the bar too, so
    it is white there (6.5:1 against the header)."""
    bar = app.config.quasar_config.setdefault("loadingBar", {})
    bar["aria-label"] = "Loading"
    bar["color"] = "white"
