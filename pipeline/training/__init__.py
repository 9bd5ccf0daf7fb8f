"""Reproducible training commands for PhishX's fitted artifacts."""
