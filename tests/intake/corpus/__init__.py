"""Labelled corpora of the intake extractors (made by the committed make_*.py scripts) and
the scoring shared by the tests and `python -m bench quality-images`."""
