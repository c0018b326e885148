"""The faults the run injects, one after another at planned moments of the load, and when each was injected.

A fault is a kill -9 of a service's process (one replica when there are several) and its start again after
`down_seconds`; a kill -9 of a RabbitMQ node (in a cluster, node 1, then node 0, ...) and its start again;
a SIGSTOP of a node for `down_seconds`, then SIGCONT; a fast restart of PostgreSQL; a kill -9 of its postmaster
and crash recovery. No fault is repaired by the run beyond starting again what it killed: every other recovery
is the system's own.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass

from chaos.fleet import Fleet
from chaos.servers import Servers

FAULT_KINDS = ("kill-service", "kill-broker", "pause-broker", "restart-postgres", "kill-postgres")
SERVICE_KILL_DOWN_SECONDS = 2.0
REPLICA_KILL_DOWN_SECONDS = 8.0
BROKER_PAUSE_SECONDS = 6.0
BROKER_KILL_DOWN_SECONDS = 2.0


@dataclass(frozen=True)
class Fault:
    kind: str  # kill-service, kill-broker, pause-broker, restart-postgres, kill-postgres
    target: str  # the service, the node's number ("" for the only node), or "postgres"
    replica: int = 0

    @property
    def label(self) -> str:
        if self.kind == "kill-service":
            return f"kill -9 {self.target}" + (f" #{self.replica}" if self.replica else "")
        if self.kind in ("kill-broker", "pause-broker"):
            verb = "kill -9" if self.kind == "kill-broker" else "SIGSTOP"
            return f"{verb} rabbitmq" + (f" node {self.target}" if self.target else "")
        return {"restart-postgres": "postgres fast restart", "kill-postgres": "kill -9 postgres"}[self.kind]


@dataclass
class Injected:
    label: str
    kind: str
    started: float  # perf_counter of the run
    ended: float  # the part is back (started again, resumed), though not necessarily serving yet
    detail: str = ""

    def as_dict(self, origin: float) -> dict[str, object]:
        found = asdict(self)
        found["started_s"] = round(self.started - origin, 2)
        found["ended_s"] = round(self.ended - origin, 2)
        del found["started"], found["ended"]
        return found


def schedule(services: tuple[str, ...], *, replicas: int, nodes: int, rounds: int = 1) -> list[Fault]:
    """Every fault once a round: each service killed (its second replica when there are two), the broker
    killed and paused (a different node each time in a cluster), PostgreSQL restarted and killed."""
    faults: list[Fault] = []
    for round_number in range(rounds):
        replica = 1 if replicas > 1 else 0
        node = str((round_number * 2 + 1) % nodes) if nodes > 1 else ""
        other = str((round_number * 2 + 2) % nodes) if nodes > 1 else ""
        faults += [Fault("kill-service", service, replica) for service in services]
        faults += [
            Fault("kill-broker", node),
            Fault("restart-postgres", "postgres"),
            Fault("pause-broker", other),
            Fault("kill-postgres", "postgres"),
        ]
    # services and servers alternate: a fault lands on a system that had time to take its backlog
    ordered = [f for f in faults if f.kind == "kill-service"], [f for f in faults if f.kind != "kill-service"]
    mixed: list[Fault] = []
    while ordered[0] or ordered[1]:
        for group in ordered:
            if group:
                mixed.append(group.pop(0))
    return mixed


async def inject(fault: Fault, servers: Servers, fleet: Fleet) -> Injected:
    started = time.perf_counter()
    detail = ""
    if fault.kind == "kill-service":
        replica = fleet.members[fault.target][fault.replica]
        fleet.kill(replica)
        await asyncio.sleep(REPLICA_KILL_DOWN_SECONDS if fleet.replicas > 1 else SERVICE_KILL_DOWN_SECONDS)
        fleet.start(replica)
    elif fault.kind == "kill-broker":
        node = servers.brokers[int(fault.target or 0)]
        await node.kill()
        await asyncio.sleep(BROKER_KILL_DOWN_SECONDS)
        await node.start()
    elif fault.kind == "pause-broker":
        node = servers.brokers[int(fault.target or 0)]
        pid = await node.pause()
        await asyncio.sleep(BROKER_PAUSE_SECONDS)
        node.resume(pid)
    elif fault.kind == "restart-postgres":
        await servers.postgres.restart()
    elif fault.kind == "kill-postgres":
        await servers.postgres.kill()
    else:
        raise ValueError(f"unknown fault {fault.kind}")
    return Injected(fault.label, fault.kind, started, time.perf_counter(), detail)


async def run_schedule(
    faults: list[Fault], servers: Servers, fleet: Fleet, *, first_at: float, every: float, log
) -> list[Injected]:
    """Inject each fault at `first_at + n * every` seconds from now (or as soon as the one before is over)."""
    origin = time.perf_counter()
    injected: list[Injected] = []
    for n, fault in enumerate(faults):
        delay = origin + first_at + n * every - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        log(f"fault: {fault.label} ...")
        done = await inject(fault, servers, fleet)
        log(f"fault: {fault.label} over after {done.ended - done.started:.1f} s")
        injected.append(done)
    return injected
