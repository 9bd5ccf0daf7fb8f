"""POST /emails and GET /emails/{id} over real HTTP."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from pipeline.engine import AnalysisEngine
from pipeline.settings import Settings, reset_settings
from tests.gateway.conftest import KeyMaker, bearer
from tests.gateway.harness import Gateway, free_port, inline_submitter
from tests.support.mail import EXAMPLES

RAW = (EXAMPLES / "parcel-exe.eml").read_bytes()
RFC822 = {"content-type": "message/rfc822"}


def test_raw_submission_is_accepted_with_an_analysis_id(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """A message/rfc822 body answers 202 with the analysis id and digest."""
    server = serve(gateway_settings, submit=inline_submitter(gateway_settings))

    response = server.client.post(
        "/emails", content=RAW, headers={**RFC822, **bearer(make_key("submit"))}
    )

    assert response.status_code == 202
    assert response.json()["analysis_id"]
    assert len(response.json()["sha256"]) == 64


def test_json_and_raw_submissions_of_one_email_share_an_analysis(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """The same bytes sent as raw_base64 JSON land on the same analysis."""
    server = serve(gateway_settings, submit=inline_submitter(gateway_settings))
    headers = bearer(make_key("submit"))

    raw = server.client.post("/emails", content=RAW, headers={**RFC822, **headers})
    encoded = {"raw_base64": base64.b64encode(RAW).decode()}
    as_json = server.client.post("/emails", json=encoded, headers=headers)

    assert as_json.status_code == 202
    assert as_json.json()["analysis_id"] == raw.json()["analysis_id"]


def test_bad_base64_is_unprocessable(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """raw_base64 that is not base64 answers 422."""
    server = serve(gateway_settings, submit=inline_submitter(gateway_settings))

    response = server.client.post(
        "/emails", json={"raw_base64": "***"}, headers=bearer(make_key("submit"))
    )

    assert response.status_code == 422


def test_oversized_body_is_refused_with_413(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """A body over PHISHX_MAX_REQUEST_BYTES answers 413 before anything is stored."""
    settings = gateway_settings.model_copy(update={"max_request_bytes": 1000})
    server = serve(settings, submit=inline_submitter(settings))

    response = server.client.post(
        "/emails", content=b"x" * 5000, headers={**RFC822, **bearer(make_key("submit"))}
    )

    assert response.status_code == 413


def test_result_carries_decision_score_and_indicators(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """GET /emails/{id}?wait= returns the stored verdict with its indicators."""
    server = serve(gateway_settings, submit=inline_submitter(gateway_settings))
    key = bearer(make_key("submit,read"))
    analysis_id = server.client.post("/emails", content=RAW, headers={**RFC822, **key}).json()[
        "analysis_id"
    ]

    body = server.client.get(f"/emails/{analysis_id}", params={"wait": 5}, headers=key).json()

    assert body["status"] == "done"
    assert body["decision"] in {"ALLOW", "QUARANTINE", "REJECT"}
    assert body["indicators"]
    assert {"name", "score", "evidence"} <= set(body["indicators"][0])


def test_wait_is_capped_by_the_settings(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """A pending analysis with ?wait=600 answers after the configured cap, still pending."""
    settings = gateway_settings.model_copy(update={"result_wait_max": 0.5})
    server = serve(settings)
    key = bearer(make_key("read"))
    analysis_id = AnalysisEngine(settings).submit(b"Subject: hi\r\n\r\nbody").analysis_id

    response = server.client.get(f"/emails/{analysis_id}", params={"wait": 600}, headers=key)

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert response.elapsed.total_seconds() < 5


def test_unknown_analysis_is_404(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker
) -> None:
    """An id that names no analysis answers 404."""
    server = serve(gateway_settings)

    response = server.client.get("/emails/not-an-id", headers=bearer(make_key("read")))

    assert response.status_code == 404


def test_submission_while_the_database_is_down_is_503_with_retry_after(
    serve: Callable[..., Gateway],
    gateway_settings: Settings,
    make_key: KeyMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the analyses' database refuses connections, POST /emails asks to retry later."""
    monkeypatch.setenv(
        "PHISHX_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x"
    )
    monkeypatch.setenv("PHISHX_DATA_DIR", str(gateway_settings.data_dir))
    reset_settings()
    server = serve(gateway_settings)

    response = server.client.post(
        "/emails", content=RAW, headers={**RFC822, **bearer(make_key("submit"))}
    )
    reset_settings()

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
