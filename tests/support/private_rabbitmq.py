"""A RabbitMQ node of a test's own, on free loopback ports in a temporary folder, that the test may restart (the
machine's broker is shared and never touched).

`async with private_rabbitmq() as broker:` gives `broker.url`; `await broker.restart()` stops the node (every
in-memory state is gone) and starts it again; `await broker.kill()` is a kill -9 of its Erlang VM, `pause()` and
`resume()` send it SIGSTOP and SIGCONT. The node has no plugins (no second management listener; the Prometheus
endpoint on a free port when asked for), its own
Erlang cookie in its own HOME (readable by the user running it), and registers with the machine's epmd under a
name of its own.

`async with private_rabbitmq_cluster(3) as nodes:` starts three such nodes sharing one cookie and joins the second
and third to the first: quorum queues declared on any of them are replicated on all three.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from tests.support.private_postgres import free_port

SCRIPTS = Path("/usr/lib/rabbitmq/bin")


def why_not_available() -> str | None:
    for script in ("rabbitmq-server", "rabbitmqctl"):
        if not (SCRIPTS / script).exists() and shutil.which(script) is None:
            return f"{script} is not installed here"
    return None


def _script(name: str) -> str:
    return str(SCRIPTS / name) if (SCRIPTS / name).exists() else name


class PrivateRabbitMQ:
    def __init__(self, folder: Path, cookie: str | None = None, *, prometheus: bool = False) -> None:
        self.folder = folder
        self.port = free_port()
        self.prometheus_port = free_port() if prometheus else None
        self.node = f"grassroots-{uuid.uuid4().hex[:8]}@localhost"
        self._server: asyncio.subprocess.Process | None = None
        self._vm_pid: int | None = None
        (folder / "home").mkdir()
        cookie_file = folder / "home" / ".erlang.cookie"
        cookie_file.write_text(cookie or secrets.token_hex(20))
        cookie_file.chmod(0o400)
        (folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users.guest = true\n"
            "log.console = false\nlog.file.level = info\n"
            + (
                f"prometheus.tcp.ip = 127.0.0.1\nprometheus.tcp.port = {self.prometheus_port}\n"
                if prometheus
                else ""
            )
        )
        (folder / "enabled_plugins").write_text("[rabbitmq_prometheus].\n" if prometheus else "[].\n")
        self.env = dict(
            os.environ,
            HOME=str(folder / "home"),
            RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(free_port()),
            RABBITMQ_MNESIA_BASE=str(folder / "mnesia"),
            RABBITMQ_LOG_BASE=str(folder / "log"),
            RABBITMQ_CONFIG_FILE=str(folder / "rabbitmq"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(folder / "enabled_plugins"),
            RABBITMQ_PID_FILE=str(folder / "rabbitmq.pid"),
        )

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    async def _ctl(self, *args: str, timeout: float = 120) -> str:
        process = await asyncio.create_subprocess_exec(
            _script("rabbitmqctl"),
            "-n",
            self.node,
            *args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {output.decode()[-2000:]}")
        return output.decode()

    async def start(self) -> None:
        with (self.folder / "server.out").open("ab") as output:
            self._server = await asyncio.create_subprocess_exec(
                _script("rabbitmq-server"), env=self.env, stdout=output, stderr=asyncio.subprocess.STDOUT
            )
        for _ in range(240):  # the node takes a while to register before it can even be asked
            if self._server.returncode is not None:
                raise RuntimeError(f"rabbitmq-server exited: {self.output()[-3000:]}")
            with contextlib.suppress(RuntimeError):
                await self._ctl("await_startup", "--timeout", "120", timeout=150)
                self._vm_pid = await self._ask_vm_pid()
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"the private RabbitMQ node did not start: {self.output()[-3000:]}")

    def output(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.out").read_text(errors="replace")
        return ""

    async def stop(self) -> None:
        if self._server is None:
            return
        try:
            await self._ctl("stop")
        finally:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait(), timeout=30)
            if self._server.returncode is None:
                self._server.kill()
                await self._server.wait()
            self._server = None
            self._vm_pid = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def _ask_vm_pid(self) -> int:
        output = await self._ctl("eval", "list_to_integer(os:getpid()).")
        return int(output.strip().splitlines()[-1])

    async def vm_pid(self) -> int:
        """The Erlang VM's process id (the server script only waits for it), known since the node started."""
        if self._vm_pid is None:
            self._vm_pid = await self._ask_vm_pid()
        return self._vm_pid

    async def kill(self) -> None:
        """kill -9 of the node's Erlang VM: no clean shutdown, what is on disk is what the restart finds."""
        if self._server is None:
            return
        os.kill(await self.vm_pid(), signal.SIGKILL)
        self._vm_pid = None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._server.wait(), timeout=30)
        if self._server.returncode is None:
            self._server.kill()
            await self._server.wait()
        self._server = None

    async def pause(self) -> int:
        """SIGSTOP of the Erlang VM: connections stay open but nothing answers, as in a network partition."""
        pid = await self.vm_pid()
        os.kill(pid, signal.SIGSTOP)
        return pid

    @staticmethod
    def resume(pid: int) -> None:
        os.kill(pid, signal.SIGCONT)

    async def queue_members(self) -> dict[str, int]:
        """Each quorum queue's number of replicas (members), by name."""
        output = await self._ctl("list_queues", "--quiet", "--no-table-headers", "name", "type", "members")
        found = {}
        for line in output.splitlines():
            name, _, rest = line.partition("\t")
            kind, _, members = rest.partition("\t")
            if kind.strip() == "quorum":
                found[name] = members.count("@")
        return found

    async def join(self, other: PrivateRabbitMQ) -> None:
        """Make this (running, empty) node a member of `other`'s cluster."""
        await self._ctl("stop_app")
        await self._ctl("join_cluster", other.node)
        await self._ctl("start_app")
        await self._ctl("await_startup", "--timeout", "120", timeout=150)


@contextlib.asynccontextmanager
async def private_rabbitmq(*, prometheus: bool = False) -> AsyncIterator[PrivateRabbitMQ]:
    """With `prometheus`, the rabbitmq_prometheus plugin serves the node's metrics at `prometheus_port`."""
    folder = Path(tempfile.mkdtemp(prefix="grassroots-rabbitmq-"))
    broker = PrivateRabbitMQ(folder, prometheus=prometheus)
    try:
        await broker.start()
        yield broker
    finally:
        with contextlib.suppress(Exception):
            await broker.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def private_rabbitmq_cluster(size: int = 3) -> AsyncIterator[list[PrivateRabbitMQ]]:
    cookie = secrets.token_hex(20)
    nodes: list[PrivateRabbitMQ] = []
    try:
        for _ in range(size):
            node = PrivateRabbitMQ(Path(tempfile.mkdtemp(prefix="grassroots-rabbitmq-")), cookie)
            nodes.append(node)
            await node.start()
        for node in nodes[1:]:
            await node.join(nodes[0])
        yield nodes
    finally:
        for node in reversed(nodes):
            with contextlib.suppress(Exception):
                await node.stop()
            shutil.rmtree(node.folder, ignore_errors=True)
