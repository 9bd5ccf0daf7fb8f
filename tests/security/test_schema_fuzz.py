"""Property-based requests from the OpenAPI schema never get a 5xx (schemathesis, served app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from pipeline.security.api_keys import ApiKeyStore
from pipeline.settings import Settings
from tests.gateway.harness import Gateway, inline_submitter

pytestmark = pytest.mark.slow


def test_no_route_answers_with_a_server_error(tmp_path: Path) -> None:
    """Every operation, with and without an admin key, answers below 500 for generated input."""
    gateway_settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'f.db'}")
    key = ApiKeyStore(gateway_settings.effective_database_url).create(
        frozenset({"submit", "read", "admin"})
    )[1]
    with Gateway(gateway_settings, submit=inline_submitter(gateway_settings)) as server:
        document = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(document)
        operations = [
            result.ok()  # type: ignore[union-attr]
            for result in schema.get_all_operations()
        ]
        strategy = st.one_of([operation.as_strategy() for operation in operations])

        @given(case=strategy, authorized=st.booleans())
        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case[Any], authorized: bool) -> None:
            headers = {"Authorization": f"Bearer {key}"} if authorized else {}
            response = case.call(base_url=server.url, headers=headers, timeout=10)
            case.validate_response(response, checks=[not_a_server_error])

        run()
