"""Benchmarks of PhishX components; run each as ``python -m bench.<name>``."""
