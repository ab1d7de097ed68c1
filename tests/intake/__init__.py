"""Extractors on their labelled corpus (tests/intake/corpus/*/train and heldout)."""
