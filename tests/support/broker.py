"""Restarting the local RabbitMQ node, for the test that proves confirmed messages survive it."""

from __future__ import annotations

import asyncio
import shutil
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def can_restart(rabbitmq_url: str) -> str | None:
    """None when this machine can restart the broker the tests use; otherwise why not."""
    if urlsplit(rabbitmq_url).hostname not in LOCAL_HOSTS:
        return "the broker is not on this machine"
    for command in ("rabbitmqctl", "rabbitmq-server"):
        if shutil.which(command) is None:
            return f"{command} is not installed here"
    return None


async def _run(*command: str, timeout: float = 120) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {output.decode()[-2000:]}")


async def restart_local_broker() -> None:
    """Stop the node (every in-memory state is gone), start it again, and wait until it serves."""
    await _run("rabbitmqctl", "stop")
    await _run("rabbitmq-server", "-detached")
    for _ in range(120):  # the node takes a while to register before it can even be asked
        try:
            await _run("rabbitmq-diagnostics", "-q", "check_running", timeout=30)
            return
        except RuntimeError:
            await asyncio.sleep(1)
    raise RuntimeError("RabbitMQ did not come back within two minutes")
