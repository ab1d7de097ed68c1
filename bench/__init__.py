"""Benchmarks: `python -m bench.<name> --help`. They print markdown tables; nothing here asserts."""
