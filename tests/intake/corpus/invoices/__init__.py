"""The invoice corpus: generate.py writes train/ and heldout/ (see its docstring)."""
