"""Labelled corpora of the intake extractors."""
