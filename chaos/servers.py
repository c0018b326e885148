"""The run's own PostgreSQL cluster and RabbitMQ node (or three clustered nodes), on free loopback ports in a
temporary folder: the machine's shared servers are never touched, since the run kills these."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.private_postgres import why_not_available as postgres_missing
from tests.support.private_rabbitmq import PrivateRabbitMQ, private_rabbitmq, private_rabbitmq_cluster
from tests.support.private_rabbitmq import why_not_available as rabbitmq_missing

# Acknowledged means committed: the run's server keeps every commit a client was told about across a kill -9
# (fsync stays off: the operating system, which keeps the written WAL, is not what the run kills).
DURABLE_COMMITS = "\nsynchronous_commit = on\nmax_connections = 200\n"


def why_not_available() -> str | None:
    return postgres_missing() or rabbitmq_missing()


@dataclass
class Servers:
    postgres: PrivatePostgres
    brokers: list[PrivateRabbitMQ]

    @property
    def rabbitmq_url(self) -> str:
        """Every node's address, comma-separated, as the services take them."""
        return ",".join(broker.url for broker in self.brokers)


@contextlib.asynccontextmanager
async def private_servers(*, cluster: bool) -> AsyncIterator[Servers]:
    async with private_postgres() as postgres:
        with (postgres.data / "postgresql.conf").open("a") as conf:
            conf.write(DURABLE_COMMITS)
        await postgres.restart()
        if cluster:
            async with private_rabbitmq_cluster(3) as nodes:
                yield Servers(postgres, nodes)
        else:
            async with private_rabbitmq() as node:
                yield Servers(postgres, [node])
