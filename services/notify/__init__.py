"""Notifications: people hear about their issues in the app (a bell, a list) and by mail
(bursts coalesced, a daily digest, or nothing; one-click unsubscribe).

    rules.py    who is told what (a later part adds a verb with `rules.on_verb`)
    record.py   the activity hook that writes notifications in the change's transaction
    inbox.py    the service functions behind the bell, the list and the preferences
    outbox.py   mail: collected, rendered, sent by a background job (dispatch.py), retried
    digest.py   the daily digest job
"""

from . import config, digest, dispatch, inbox, models, outbox, record, rules, unsubscribe
from .config import MailConfig, configure
from .inbox import (
    NotificationView,
    Preferences,
    get_preferences,
    list_notifications,
    mark_all_read,
    mark_read,
    unread_count,
    update_preferences,
)

__all__ = [
    "MailConfig",
    "NotificationView",
    "Preferences",
    "config",
    "configure",
    "digest",
    "dispatch",
    "get_preferences",
    "inbox",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "models",
    "outbox",
    "record",
    "rules",
    "unread_count",
    "unsubscribe",
    "update_preferences",
]
