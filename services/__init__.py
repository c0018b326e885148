"""The grassroots services: four that own the data, and the console (their web front end). Each folder has the
same shape:

bootstrap.py      the wiring: the ServiceDefinition (start reading here)
context.py        its settings and its dependencies (clock, reference bundle, stores...)
subscriptions.py  which events it consumes, with their handlers, and which it publishes
handlers/         plain async functions over a unit of work: the business logic
domain/           plain data and rules, no I/O
api/              thin HTTP routers
adapters/         the outside world behind a small port, where a service has one (photos, channels)
migrations/       plain SQL, applied in order into the service's own schema
asyncapi.yaml     generated from the code: `python -m services asyncapi`
"""

from __future__ import annotations

import importlib

from shared.runtime.definition import ServiceDefinition

SERVICE_NAMES = ("patrol", "dispatch", "notify", "training", "console")


def definition_of(name: str) -> ServiceDefinition:
    return importlib.import_module(f"services.{name}.bootstrap").definition()
