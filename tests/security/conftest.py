"""The security tests use the gateway tests' fixtures."""

from tests.gateway.conftest import _fresh_state, gateway_settings, make_key, serve

__all__ = ["_fresh_state", "gateway_settings", "make_key", "serve"]
