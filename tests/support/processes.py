"""A service run as its own process (`python -m services.<name> run`), ready when its /readyz answers 200."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def service_process(
    name: str, env: dict[str, str], port: int, *, log: list[str] | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The service running until the block ends. With `log`, every line it writes on stderr is appended there as
    it comes (read all along, so a talkative service never blocks on a full pipe)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"services.{name}",
        "run",
        env={**env, "HTTP_PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    reader = asyncio.create_task(_read_lines(process.stderr, log)) if log is not None else None

    async def last_words() -> str:
        if reader is not None:
            await reader
            return "\n".join(log or [])[-2000:]
        return (await process.stderr.read()).decode()[-2000:]

    try:
        async with httpx.AsyncClient() as client:
            for _ in range(150):
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.returncode is not None:
                    raise RuntimeError(f"{name} exited: {await last_words()}")
                await asyncio.sleep(0.2)
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        if reader is not None:
            await reader


async def _read_lines(stream: asyncio.StreamReader | None, into: list[str]) -> None:
    assert stream is not None
    while line := await stream.readline():
        into.append(line.decode(errors="replace").rstrip("\n"))


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (`VmRSS`) and at its peak (`VmHWM`), in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
    return figures
