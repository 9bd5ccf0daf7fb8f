#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, start services, lint, type-check, test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/services.sh
scripts/install-tools.sh
. .venv/bin/activate
ruff check .
ruff format --check .
mypy
pytest "$@"
