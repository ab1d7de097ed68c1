"""The composition root: settings, CLI, web app wiring. Nothing imports this package."""
