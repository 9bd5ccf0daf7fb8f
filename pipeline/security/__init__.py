"""Gateway security: request signing, signing keys at rest, API keys and rate limits.

Pure domain code: nothing here imports Celery or FastAPI, and nothing connects at
import time. Shared state (nonces, rate-limit buckets, counters) lives in Redis
when one is configured and in process memory in the embedded mode.
"""
