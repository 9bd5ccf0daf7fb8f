"""Persistence: messages stored once by sha256, analyses, indicators and stage runs."""
