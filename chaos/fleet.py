"""The services as processes, one or more replicas each, which the run kills with SIGKILL and starts again.

Each replica is `python -m services.<name> run` with the benchmark's settings (bench/environment.py) and a port of
its own; its output goes to `<service>-<replica>.log` in the run's folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

from bench.environment import REPOSITORY, Installation, free_port, service_environment


@dataclass
class Replica:
    service: str
    number: int
    port: int
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def name(self) -> str:
        return f"{self.service}-{self.number}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Fleet:
    install: Installation
    services: tuple[str, ...]
    replicas: int
    log_level: str = "WARNING"
    environment: dict[str, dict[str, str]] = field(default_factory=dict)  # per service, beyond the bench's
    members: dict[str, list[Replica]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for service in self.services:
            self.members[service] = [Replica(service, n, free_port()) for n in range(self.replicas)]

    def all(self) -> list[Replica]:
        return [replica for replicas in self.members.values() for replica in replicas]

    def base_urls(self, service: str) -> list[str]:
        return [replica.base_url for replica in self.members[service]]

    def start(self, replica: Replica) -> None:
        env = service_environment(
            self.install,
            replica.service,
            {
                "HTTP_PORT": str(replica.port),
                "LOG_LEVEL": self.log_level,
                **self.environment.get(replica.service, {}),
            },
        )
        log = (self.install.workdir / f"{replica.name}.log").open("ab")
        replica.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{replica.service}", "run"],
            cwd=REPOSITORY,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        replica.starts += 1

    async def start_all(self, timeout: float = 90) -> None:
        for replica in self.all():
            self.start(replica)
        await asyncio.gather(*(self.wait_ready(replica, timeout) for replica in self.all()))

    def kill(self, replica: Replica) -> None:
        """kill -9: no shutdown, whatever it held in hand is left to the broker and the database."""
        if replica.process is not None and replica.process.poll() is None:
            replica.process.send_signal(signal.SIGKILL)
            replica.process.wait()

    async def wait_ready(self, replica: Replica, timeout: float) -> float:
        """Seconds until the replica's /readyz answers 200."""
        started = time.monotonic()
        async with httpx.AsyncClient() as client:
            while True:
                if replica.process is None or replica.process.poll() is not None:
                    raise RuntimeError(f"{replica.name} exited before it was ready")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{replica.base_url}/readyz", timeout=2)).status_code == 200:
                        return time.monotonic() - started
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"{replica.name} not ready after {timeout} s")
                await asyncio.sleep(0.2)

    async def readiness(self) -> dict[str, int | str]:
        """Each replica's /readyz status now (or why it did not answer)."""
        found: dict[str, int | str] = {}
        async with httpx.AsyncClient() as client:
            for replica in self.all():
                try:
                    found[replica.name] = (
                        await client.get(f"{replica.base_url}/readyz", timeout=5)
                    ).status_code
                except httpx.HTTPError as error:
                    found[replica.name] = repr(error)
        return found

    def stop_all(self, timeout: float = 20) -> dict[str, int | None]:
        for replica in self.all():
            if replica.process is not None and replica.process.poll() is None:
                replica.process.terminate()
        codes: dict[str, int | None] = {}
        for replica in self.all():
            if replica.process is None:
                continue
            try:
                codes[replica.name] = replica.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                codes[replica.name] = replica.process.wait()
        return codes
