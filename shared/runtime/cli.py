"""The command line of one service: `python -m services.<name> [run|migrate|asyncapi]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from collections.abc import Callable

import uvicorn

from shared.db.migrate import apply_migrations, load_migrations
from shared.logging import configure_logging, get_logger
from shared.runtime.app import create_app
from shared.runtime.asyncapi import asyncapi_yaml
from shared.runtime.definition import ServiceDefinition
from shared.settings import ServiceSettings


def settings_for(definition: ServiceDefinition) -> ServiceSettings:
    """The environment's settings; the service's own port unless HTTP_PORT says otherwise."""
    defaults = {} if "HTTP_PORT" in os.environ else {"http_port": definition.http_port}
    settings = definition.settings_class(service_name=definition.name, **defaults)
    settings.check_secrets()  # production refuses a default or example secret
    return settings


async def migrate(definition: ServiceDefinition, settings: ServiceSettings) -> list[str]:
    return await apply_migrations(
        settings.database_url, definition.name, load_migrations(definition.directory)
    )


def write_asyncapi(definition: ServiceDefinition, *, check: bool) -> bool:
    """Write the service's asyncapi.yaml; with `check`, only say whether the file on disk is current."""
    path = definition.directory / "asyncapi.yaml"
    document = asyncapi_yaml(definition)
    if check:
        return path.exists() and path.read_text() == document
    path.write_text(document)
    return True


async def run_command(definition: ServiceDefinition, settings: ServiceSettings, name: str) -> object:
    """One of the service's operator commands, with its settings and freshly built dependencies."""
    return await definition.commands[name](settings, definition.context_factory(settings))


def main(definition_factory: Callable[[], ServiceDefinition], argv: list[str] | None = None) -> int:
    definition = definition_factory()
    parser = argparse.ArgumentParser(
        prog=f"python -m services.{definition.name}", description=definition.description
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the consumers, the outbox relay and the HTTP API (the default)")
    commands.add_parser("migrate", help="apply the service's database migrations")
    docs = commands.add_parser("asyncapi", help="write asyncapi.yaml from the code")
    docs.add_argument("--check", action="store_true", help="fail if the file on disk is stale")
    for name, command in definition.commands.items():
        commands.add_parser(name, help=(command.__doc__ or "").strip().splitlines()[0])
    args = parser.parse_args(argv)
    settings = settings_for(definition)

    if args.command in definition.commands:
        configure_logging(definition.name, log_format=settings.log_format, level=settings.log_level)
        outcome = asyncio.run(run_command(definition, settings, args.command))
        print(json.dumps(outcome, ensure_ascii=False, default=str))
        return 0
    if args.command == "migrate":
        configure_logging(definition.name, log_format=settings.log_format, level=settings.log_level)
        applied = asyncio.run(migrate(definition, settings))
        get_logger(__name__).info("migrations applied", applied=applied)
        return 0
    if args.command == "asyncapi":
        current = write_asyncapi(definition, check=args.check)
        if not current:
            print(
                f"{definition.directory / 'asyncapi.yaml'} is stale: run python -m services.{definition.name} asyncapi"
            )
        return 0 if current else 1
    configure_logging(definition.name, log_format=settings.log_format, level=settings.log_level)
    app = create_app(definition, settings)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_graceful_shutdown=30,
        access_log=False,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has already shut down gracefully
        uvicorn.Server(config).run()
    return 0
