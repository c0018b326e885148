"""Where the tests find RabbitMQ and PostgreSQL, and how each run keeps to itself.

URLs come from RABBITMQ_URL and ADMIN_DATABASE_URL. With neither set and a Docker engine present, testcontainers
starts both. Otherwise the local defaults are used (`scripts/local-services` makes sure they run).
Each run gets its own database; each test its own exchange and queue names.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from shared.db.url import with_database, with_user
from shared.settings import LOCAL_ADMIN_DATABASE_URL, LOCAL_RABBITMQ_URL


@dataclass(frozen=True)
class Infra:
    admin_url: str
    rabbitmq_url: str
    database: str
    run_id: str

    @property
    def admin_database_url(self) -> str:
        return with_database(self.admin_url, self.database)

    def database_url(self, service: str) -> str:
        """The service's own role (password = its name in tests) on this run's database."""
        return with_user(self.admin_database_url, service, service)


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


@contextlib.contextmanager
def infrastructure() -> Iterator[Infra]:
    run_id = uuid.uuid4().hex[:8]
    database = f"grassroots_test_{run_id}"
    admin_url = os.environ.get("ADMIN_DATABASE_URL")
    rabbitmq_url = os.environ.get("RABBITMQ_URL")
    if admin_url is None and rabbitmq_url is None and _docker_available():
        from testcontainers.postgres import PostgresContainer
        from testcontainers.rabbitmq import RabbitMqContainer

        with (
            PostgresContainer("postgres:15", driver=None) as postgres,
            RabbitMqContainer("rabbitmq:3.13") as rabbit,
        ):
            params = rabbit.get_connection_params()
            yield Infra(
                admin_url=postgres.get_connection_url(),
                rabbitmq_url=f"amqp://guest:guest@{params.host}:{params.port}/",
                database=database,
                run_id=run_id,
            )
        return
    yield Infra(
        admin_url=admin_url or LOCAL_ADMIN_DATABASE_URL,
        rabbitmq_url=rabbitmq_url or LOCAL_RABBITMQ_URL,
        database=database,
        run_id=run_id,
    )
