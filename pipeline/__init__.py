"""PhishX analysis domain: parsing, analyzers, scoring, resilience and storage.

Nothing in this package imports Celery or a web framework; the task layer in
``tasks`` and the gateway in ``api`` depend on it, never the other way round.
"""
