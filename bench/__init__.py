"""Benchmarks with their own commands (``python -m bench.detection``)."""
