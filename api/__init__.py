"""The PhishX HTTP gateway (FastAPI): health, metrics and queue status.

``create_app`` in :mod:`api.app` builds the application; ``phishx api`` serves it
with uvicorn. The gateway depends on ``pipeline`` and ``tasks``, never the reverse.
"""
