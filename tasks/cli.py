"""The ``phishx`` command: scan, submit, show, worker, migrate.

Exit codes: 0 success, 1 some emails got no verdict, 2 usage or input errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from celery.result import allow_join_result

from celeryconfig import WORKER_QUEUES
from pipeline.report import analysis_json, table_row
from pipeline.settings import get_settings
from pipeline.sources import expand, read_sources
from pipeline.storage.schema import upgrade
from tasks import cli_bench as bench_cli
from tasks import cli_gateway as gateway_cli
from tasks import cli_observability as observability_cli
from tasks import cli_resilience as resilience_cli
from tasks import cli_services as services_cli
from tasks.app import app
from tasks.embedded import embedded_worker
from tasks.flow import submit
from tasks.runtime import get_engine
from tasks.scan import scan_sources

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="phishx", description="Phishing-email analysis.")
    commands = parser.add_subparsers(dest="command", required=True)

    scan = commands.add_parser("scan", help="analyse emails and print one verdict per email")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or mbox files")
    scan.add_argument("--format", choices=("json", "table"), default="json")
    scan.add_argument("--timeout", type=float, default=300.0, help="seconds to wait per email")
    scan.add_argument("--window", type=int, default=32, help="emails in flight at once")

    submit = commands.add_parser("submit", help="enqueue emails and print their analysis ids")
    submit.add_argument("paths", nargs="+", metavar="PATH")

    show = commands.add_parser("show", help="print a stored analysis")
    show.add_argument("id", help="analysis id or sha256 of the message")

    worker = commands.add_parser("worker", help="run a Celery worker on every stage queue")
    worker.add_argument("celery_args", nargs=argparse.REMAINDER, help="passed to celery worker")

    commands.add_parser("migrate", help="bring the database schema up to date")
    observability_cli.add_commands(commands)
    resilience_cli.add_commands(commands)
    services_cli.add_commands(commands)
    gateway_cli.add_commands(commands)
    bench_cli.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``phishx`` console script."""
    args = _parser().parse_args(argv)
    quiet = args.command in ("scan", "submit", "show", "health", "breakers", "dead-letters")
    quiet = quiet or args.command in gateway_cli.HANDLERS
    logging.basicConfig(
        level=logging.WARNING if quiet else get_settings().log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    handlers = {
        "scan": _scan,
        "submit": _submit,
        "show": _show,
        "worker": _worker,
        "migrate": _migrate,
        **observability_cli.HANDLERS,
        **resilience_cli.HANDLERS,
        **services_cli.HANDLERS,
        **gateway_cli.HANDLERS,
        **bench_cli.HANDLERS,
    }
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130


@contextmanager
def _runtime() -> Iterator[None]:
    """In embedded mode, an in-process worker for the duration of the command."""

    context = embedded_worker(app) if get_settings().embedded else nullcontext()
    with context:
        yield


def _scan(args: argparse.Namespace) -> int:

    files = expand(args.paths)
    progress = _Progress(len(files)) if sys.stderr.isatty() and len(files) > 20 else None
    status = EXIT_OK
    with _runtime():
        for result in scan_sources(read_sources(files), args.window, args.timeout):
            status = max(status, _emit(result, args.format))
            if progress:
                progress.advance()
    if progress:
        progress.close()
    return status


def _emit(result: dict[str, Any], output_format: str) -> int:
    if "error" in result and "analysis_id" not in result:
        print(f"phishx: error: {result['error']}", file=sys.stderr)
        return EXIT_USAGE
    if output_format == "table":
        print(table_row(result["path"], result), flush=True)
    else:
        print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return EXIT_INCOMPLETE if "error" in result else EXIT_OK


def _submit(args: argparse.Namespace) -> int:

    status = EXIT_OK
    with _runtime():
        for source in read_sources(expand(args.paths)):
            if source.raw is None:
                print(f"phishx: error: {source.error}", file=sys.stderr)
                status = EXIT_USAGE
                continue
            submitted = submit(source.raw)
            if get_settings().embedded and submitted.result is not None:
                with allow_join_result():
                    submitted.result.get(timeout=300, interval=0.01)
            line = {"path": source.label, "analysis_id": submitted.analysis_id}
            print(json.dumps({**line, "sha256": submitted.sha256}), flush=True)
    return status


def _show(args: argparse.Namespace) -> int:

    engine = get_engine()
    view = engine.report(args.id) or engine.find(args.id.lower())
    if view is None:
        print(f"phishx: error: no analysis with id or sha256 {args.id}", file=sys.stderr)
        return EXIT_USAGE
    report = analysis_json(view)
    report["stages"] = view.stages
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return EXIT_OK


def _worker(args: argparse.Namespace) -> int:

    extra = [arg for arg in args.celery_args if arg != "--"]
    if not any(arg.startswith(("-Q", "--queues")) for arg in extra):
        extra = ["-Q", ",".join(WORKER_QUEUES), *extra]
    app.worker_main(["worker", "-E", "--loglevel", get_settings().log_level, *extra])
    return EXIT_OK


def _migrate(args: argparse.Namespace) -> int:
    upgrade(get_settings().effective_database_url)
    print("database schema is up to date", file=sys.stderr)
    return EXIT_OK


class _Progress:
    """A one-line progress bar on stderr for long runs in a terminal."""

    def __init__(self, total: int) -> None:
        self.total = max(total, 1)
        self.done = 0

    def advance(self) -> None:
        self.done += 1
        filled = int(30 * min(self.done, self.total) / self.total)
        bar = "#" * filled + "-" * (30 - filled)
        sys.stderr.write(f"\r[{bar}] {self.done}/{self.total}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


if __name__ == "__main__":
    sys.exit(main())
