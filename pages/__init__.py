"""NiceGUI pages. They call `services` off the event loop and never touch SQL or models."""
