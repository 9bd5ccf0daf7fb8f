.PHONY: scan test faults lint install

install:
	scripts/bootstrap.sh

scan: install
	.venv/bin/phishx scan --format table examples/

test:
	scripts/test.sh

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

faults:
	scripts/test.sh tests/faults
