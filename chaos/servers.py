"""The run's own PostgreSQL cluster and RabbitMQ node (or three clustered nodes), on free loopback ports in a
temporary folder: the machine's shared servers are never touched, since the run kills these."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.private_postgres import PrivatePostgres, free_port, private_postgres
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


PGBOUNCER = Path("/usr/sbin/pgbouncer")
# asyncpg sends these in its startup packet; PgBouncer passes only a few on, and the role's own settings (the
# search_path that provisioning gives each service's role) apply instead.
IGNORED_STARTUP_PARAMETERS = (
    "search_path,idle_in_transaction_session_timeout,client_connection_check_interval,"
    "tcp_keepalives_idle,tcp_keepalives_interval,tcp_keepalives_count"
)


@dataclass
class Bouncer:
    port: int
    database: str

    def url(self, user: str, *, session: bool) -> str:
        database = f"{self.database}_session" if session else self.database
        return f"postgresql://{user}:{user}@127.0.0.1:{self.port}/{database}"


@contextlib.asynccontextmanager
async def pgbouncer(
    postgres: PrivatePostgres, database: str, users: tuple[str, ...]
) -> AsyncIterator[Bouncer]:
    """Debian's PgBouncer in front of the run's PostgreSQL: `database` in transaction mode (the services' pools)
    and `<database>_session` in session mode (the connections that LISTEN)."""
    folder = Path(tempfile.mkdtemp(prefix="grassroots-pgbouncer-"))
    port = free_port()
    (folder / "userlist.txt").write_text("".join(f'"{user}" "{user}"\n' for user in users))
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n"
        f"{database} = host=127.0.0.1 port={postgres.port} dbname={database} pool_mode=transaction\n"
        f"{database}_session = host=127.0.0.1 port={postgres.port} dbname={database} pool_mode=session\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = plain\nauth_file = {folder}/userlist.txt\n"
        f"pool_mode = transaction\ndefault_pool_size = 8\nmax_client_conn = 1000\n"
        f"ignore_startup_parameters = {IGNORED_STARTUP_PARAMETERS}\nidle_transaction_timeout = 30\nserver_login_retry = 2\n"
        f"logfile = {folder}/pgbouncer.log\npidfile = {folder}/pgbouncer.pid\n"
    )
    as_postgres = os.geteuid() == 0  # PgBouncer refuses to run as root
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
        for file in folder.iterdir():
            shutil.chown(file, "postgres", "postgres")
    argv = [str(PGBOUNCER), str(folder / "pgbouncer.ini")]
    process = await asyncio.create_subprocess_exec(
        *(["runuser", "-u", "postgres", "--", *argv] if as_postgres else argv),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.1)
        yield Bouncer(port, database)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()
        shutil.rmtree(folder, ignore_errors=True)
