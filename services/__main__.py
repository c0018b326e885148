"""The whole system from one command line: `python -m services [provision|migrate|run|asyncapi]`.

provision  create the database, and a role and a schema per service (needs ADMIN_DATABASE_URL)
migrate    provision, then apply every service's migrations and load its reference data, as its own role
run        run every service (the four and the console), each in its own process (for development; compose runs them apart)
asyncapi   write each service's asyncapi.yaml (--check: fail if any is stale)
diagram    redraw the README's architecture picture from the code (--check: fail if it is stale)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from services import SERVICE_NAMES, definition_of
from shared.db.migrate import apply_migrations, load_migrations
from shared.db.provision import provision
from shared.db.url import database_name, with_user
from shared.logging import configure_logging, get_logger
from shared.runtime.cli import run_command, write_asyncapi
from shared.runtime.diagram import mermaid, replace_in
from shared.settings import LOCAL_ADMIN_DATABASE_URL, Environment, enforce_secrets, url_password, weak_secrets

log = get_logger("services")


class SystemSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Environment = "development"
    admin_database_url: str = LOCAL_ADMIN_DATABASE_URL
    patrol_db_password: str = "patrol"
    dispatch_db_password: str = "dispatch"
    notify_db_password: str = "notify"
    training_db_password: str = "training"
    console_db_password: str = "console"
    monitoring_db_password: str | None = None  # set: a role for the metrics exporter (statistics views only)

    def password(self, service: str) -> str:
        return getattr(self, f"{service}_db_password")

    def check_secrets(self) -> list[str]:
        """Production refuses the admin's and the service roles' default or example passwords."""
        problems = weak_secrets({"ADMIN_DATABASE_URL": url_password(self.admin_database_url)})
        for name in SERVICE_NAMES:
            problems += weak_secrets({f"{name.upper()}_DB_PASSWORD": self.password(name)}, names=[name])
        problems += weak_secrets(
            {"MONITORING_DB_PASSWORD": self.monitoring_db_password}, names=["monitoring"]
        )
        return enforce_secrets(self.environment, problems)

    def database_url(self, service: str) -> str:
        return with_user(self.admin_database_url, service, self.password(service))


async def provision_all(settings: SystemSettings) -> None:
    await provision(
        settings.admin_database_url,
        database_name(settings.admin_database_url),
        {name: settings.password(name) for name in SERVICE_NAMES},
        monitoring_password=settings.monitoring_db_password,
    )


async def migrate_all(settings: SystemSettings) -> None:
    await provision_all(settings)
    for name in SERVICE_NAMES:
        definition = definition_of(name)
        applied = await apply_migrations(
            settings.database_url(name), name, load_migrations(definition.directory)
        )
        log.info("migrations applied", target=name, applied=applied)
        if "load-reference" in definition.commands:
            service_settings = definition.settings_class(
                service_name=name, database_url=settings.database_url(name)
            )
            outcome = await run_command(definition, service_settings, "load-reference")
            log.info("reference data", target=name, outcome=outcome)


def run_all(settings: SystemSettings) -> int:
    """Start every service as a child process and stop them all together."""
    children = []
    for name in SERVICE_NAMES:
        env = dict(os.environ, DATABASE_URL=settings.database_url(name))
        children.append(subprocess.Popen([sys.executable, "-m", f"services.{name}", "run"], env=env))

    def stop_children(_signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGINT, stop_children)
    signal.signal(signal.SIGTERM, stop_children)
    codes = [child.wait() for child in children]
    return 0 if all(code in (0, -signal.SIGTERM) for code in codes) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["provision", "migrate", "run", "asyncapi", "diagram"])
    parser.add_argument(
        "--check", action="store_true", help="with asyncapi or diagram: fail if what is on disk is stale"
    )
    args = parser.parse_args(argv)
    settings = SystemSettings()
    configure_logging("services", log_format=os.environ.get("LOG_FORMAT", "auto"))
    if args.command in ("provision", "migrate"):
        settings.check_secrets()
    if args.command == "provision":
        asyncio.run(provision_all(settings))
        return 0
    if args.command == "migrate":
        asyncio.run(migrate_all(settings))
        return 0
    if args.command == "diagram":
        readme = Path(__file__).resolve().parent.parent / "README.md"
        picture = mermaid([definition_of(name) for name in SERVICE_NAMES])
        current = readme.read_text()
        if args.check:
            fresh = replace_in(current, picture) == current
            if not fresh:
                print("README.md's architecture picture is stale: run python -m services diagram")
            return 0 if fresh else 1
        readme.write_text(replace_in(current, picture))
        return 0
    if args.command == "asyncapi":
        stale = [name for name in SERVICE_NAMES if not write_asyncapi(definition_of(name), check=args.check)]
        for name in stale:
            print(f"services/{name}/asyncapi.yaml is stale: run python -m services asyncapi")
        return 1 if stale else 0
    return run_all(settings)


if __name__ == "__main__":
    sys.exit(main())
