"""A PostgreSQL cluster of a test's own, on a free loopback port in a temporary folder, that the test may stop,
restart or kill (the machine's server is shared and never touched).

`async with private_postgres() as server:` gives `server.admin_url`; `await server.restart()` (fast shutdown),
`await server.kill()` (kill -9 of the postmaster, then start again), `await server.stop()`, `await server.start()`.
The cluster runs as the `postgres` user when the tests run as root (initdb refuses root).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def why_not_available() -> str | None:
    if postgres_bin_dir() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run a cluster as"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self._bin = postgres_bin_dir()
        self._as_postgres = os.geteuid() == 0

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    async def _run(self, *command: str, timeout: float = 60) -> str:
        program = str(self._bin / command[0])
        argv = (
            ["runuser", "-u", "postgres", "--", program, *command[1:]]
            if self._as_postgres
            else [program, *command[1:]]
        )
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({process.returncode}): {output.decode()[-2000:]}"
            )
        return output.decode()

    async def init(self) -> None:
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        await self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
                "max_connections = 60\n"
            )

    async def start(self) -> None:
        await self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start")
        await self.wait_until_serving()

    async def stop(self, mode: str = "fast") -> None:
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    async def restart(self) -> None:
        """Fast shutdown (every client connection is closed by the server), then start again."""
        await self.stop("fast")
        await self.start()

    async def kill(self) -> None:
        """kill -9 of the postmaster (its backends end when they notice), then start again (crash recovery)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):  # the orphaned backends exit on their own; the new postmaster waits for them
            if not _alive(pid):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        await self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start")
        await self.wait_until_serving()

    async def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                conn = await asyncpg.connect(self.admin_url, timeout=2)
                await conn.close()
                return
            except (TimeoutError, OSError, asyncpg.PostgresError):
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)

    def log_text(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text()
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.asynccontextmanager
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    folder = Path(tempfile.mkdtemp(prefix="grassroots-pg-"))
    server = PrivatePostgres(folder, free_port())
    try:
        await server.init()
        await server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):
            await server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
