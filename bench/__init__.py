"""Benchmarks: `python -m bench` lists them, `python -m bench NAME --help` explains one.
They print markdown tables; nothing here asserts."""
