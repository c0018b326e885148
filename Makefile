# The two commands: `make run` brings the system up, `make test` runs every test. Both work on a fresh machine.
SHELL := /bin/bash
UV_VERSION := 0.13.9
VENV := .venv
PYTHON := $(VENV)/bin/python
UV := .tools/bin/uv

.PHONY: run demo test test-unit test-integration deployment-test services browser prometheus pgbouncer migrate asyncapi lint clean

# uv (the lock file's installer) lives in a small venv of its own, so no system Python is touched.
$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python python3
	touch $@

services:
	scripts/local-services

browser:
	scripts/browser

prometheus:
	scripts/prometheus

pgbouncer:
	scripts/pgbouncer

migrate: $(VENV)/.synced services
	$(PYTHON) -m services migrate

## Run all four services and the console against the local RabbitMQ and PostgreSQL (Ctrl-C stops them).
run: migrate
	$(PYTHON) -m services run

## Play the article's story through the running system (started for the demo if it is not running).
demo: migrate
	scripts/demo

## Run every test against the real RabbitMQ and PostgreSQL (the compose deployment has its own target).
test: $(VENV)/.synced services browser prometheus
	$(PYTHON) -m pytest -m "not deployment" $(PYTEST_ARGS)

test-unit: $(VENV)/.synced
	$(PYTHON) -m pytest tests/unit $(PYTEST_ARGS)

test-integration: $(VENV)/.synced services prometheus
	$(PYTHON) -m pytest tests/integration $(PYTEST_ARGS)

## Only the compose deployment: podman (installed when root) builds the images and runs docker-compose.yml.
deployment-test: $(VENV)/.synced
	$(PYTHON) -m pytest tests/deployment -m deployment $(PYTEST_ARGS)

## Regenerate each service's asyncapi.yaml from the code.
asyncapi: $(VENV)/.synced
	$(PYTHON) -m services asyncapi

clean:
	rm -rf $(VENV) .tools .pytest_cache .hypothesis

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
