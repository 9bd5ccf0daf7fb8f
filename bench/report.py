"""The throughput table: PhishX rows, peer rows, ratios against the peers, and costs."""

from __future__ import annotations

from typing import Any

COLUMNS = ("system", "concurrency", "emails", "emails_per_sec", "p50_ms", "p95_ms", "p99_ms")
COSTS = (
    "broker_cmds_per_email",
    "db_xacts_per_email",
    "worker_cpu_ms_per_email",
    "producer_cpu_ms_per_email",
)


def ratios(rows: list[dict[str, Any]]) -> dict[str, float]:
    """PhishX's peak emails/s over each peer's, by peer name."""
    phishx = [row["emails_per_sec"] or 0 for row in rows if row["system"].startswith("phishx")]
    peak = max(phishx, default=0)
    return {
        row["system"]: round(peak / row["emails_per_sec"], 2)
        for row in rows
        if not row["system"].startswith("phishx") and row["emails_per_sec"]
    }


def print_table(rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    """Write the table and the cost figures to stdout."""
    print(f"{extra['date']}  {extra['machine']}")
    header = [*COLUMNS, "cmds/eml", "xacts/eml", "wrk cpu ms", "prod cpu ms"]
    print(" ".join(f"{name:>14}" if i else f"{name:<16}" for i, name in enumerate(header)))
    for row in rows:
        cells = [row.get(name) for name in (*COLUMNS, *COSTS)]
        print(" ".join(
            f"{'-' if cell is None else cell!s:>14}" if i else f"{cell!s:<16}"
            for i, cell in enumerate(cells)
        ))  # fmt: skip
    for peer, ratio in ratios(rows).items():
        print(f"PhishX peak / {peer}: {ratio}x")
    shown = ("queue", "peak_worker_rss_mb", "stage_cpu_ms_per_email", "email_cpu_ms_percentiles")
    for key in shown:
        if key in extra:
            print(f"{key}: {extra[key]}")
