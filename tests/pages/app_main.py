"""The app as the page tests see it: the real wiring, on the database the `db` fixture set up."""

from nicegui import ui

from tracker_app import web
from tracker_app.settings import Settings

settings = Settings.from_env()
web.build(settings, run_jobs=False)
ui.run(**web.run_options(settings))
