"""Benchmarks of the hazard pipeline against the broker's own ceiling: `python -m bench --help`."""
