"""Analyzers: each reads a parsed message and returns a stage outcome with indicators."""
