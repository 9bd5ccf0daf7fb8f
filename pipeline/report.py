"""An analysis as the JSON object the CLI and the gateway print."""

from __future__ import annotations

from typing import Any

from pipeline.storage.repository import AnalysisView


def analysis_json(view: AnalysisView) -> dict[str, Any]:
    """The public shape of an analysis: verdict, indicators and degraded stages."""
    return {
        "analysis_id": view.id,
        "sha256": view.sha256,
        "message_id": view.message_id,
        "status": view.status,
        "decision": view.decision,
        "score": view.score,
        "indicators": [
            {**item.indicator.to_dict(), "stage": item.stage} for item in view.indicators
        ],
        "degraded": view.degraded,
    }


def table_row(path: str, result: dict[str, Any], width: int = 100) -> str:
    """One human-readable line: decision, score, path and the strongest indicators."""
    decision = result.get("decision") or result.get("error", "ERROR")
    score = result.get("score")
    score_text = f"{score:5.1f}" if isinstance(score, int | float) else "    -"
    strongest = sorted(result.get("indicators", []), key=lambda item: -abs(item["score"]))[:3]
    names = ",".join(item["name"] for item in strongest)
    flag = " degraded" if result.get("degraded") else ""
    line = f"{decision:<10} {score_text}  {path}  {names}{flag}"
    return line if len(line) <= width else line[: width - 1] + "…"
