"""A PostgreSQL cluster of a test's own, in a temporary folder on a free loopback port, that the test may stop and
start again (never the machine's server, which other runs share).

    async with private_postgres() as cluster:
        cluster.url                  # postgresql://postgres@127.0.0.1:<port>/postgres (trust)
        await cluster.stop()         # fast shutdown: sessions are cut, new connections refused
        await cluster.start()
        await cluster.restart()

The binaries are the newest under /usr/lib/postgresql/*/bin (or PG_BIN). Run as root, the cluster belongs to the
`postgres` user, as initdb insists.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    if "PG_BIN" in os.environ:
        return Path(os.environ["PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateCluster:
    def __init__(self, binaries: Path, folder: Path, port: int, run_as: str | None) -> None:
        self._binaries = binaries
        self._folder = folder
        self._data = folder / "data"
        self.port = port
        self._run_as = run_as

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    async def start(self) -> None:
        options = f"-p {self.port} -k {self._folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        await self._run(
            "pg_ctl", "-D", str(self._data), "-l", str(self._folder / "log"), "-o", options, "-w", "start"
        )

    async def stop(self) -> None:
        await self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop")

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _init(self) -> None:
        await self._run(
            "initdb", "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"
        )

    async def _run(self, program: str, *arguments: str) -> None:
        command = [str(self._binaries / program), *arguments]
        if self._run_as is not None:
            command = ["runuser", "-u", self._run_as, "--", *command]
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"{program} failed ({process.returncode}): {output.decode()[-2000:]}")


@contextlib.asynccontextmanager
async def private_postgres() -> AsyncIterator[PrivateCluster]:
    """A started cluster of this test's own; stopped and removed afterwards. Skips the test without binaries."""
    binaries = _binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
    folder = Path(tempfile.mkdtemp(prefix="grassroots-pg-"))
    run_as = None
    if os.geteuid() == 0:
        run_as = "postgres"
        owner = pwd.getpwnam(run_as)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = PrivateCluster(binaries, folder, _free_port(), run_as)
    try:
        await cluster._init()
        await cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):
            await cluster._run("pg_ctl", "-D", str(cluster._data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
