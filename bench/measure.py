"""Percentiles, and what a process has used: peak memory and CPU time, read from /proc."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import quantiles

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Percentiles:
    p50: float
    p95: float
    p99: float
    max: float
    count: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def percentiles(values: list[float]) -> Percentiles:
    if not values:
        return Percentiles(0.0, 0.0, 0.0, 0.0, 0)
    if len(values) == 1:
        return Percentiles(values[0], values[0], values[0], values[0], 1)
    cuts = quantiles(values, n=100, method="inclusive")
    return Percentiles(cuts[49], cuts[94], cuts[98], max(values), len(values))


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def pids_named(fragment: str) -> list[int]:
    """Processes whose command line contains `fragment` (the broker's beam.smp, the postgres backends...)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if fragment in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            continue
    return total


def postgres_pids(database: str) -> list[int]:
    """The server's own processes (writer, WAL writer, checkpointer...) and the backends of `database` only:
    backends of other databases on the same server (other work on the machine) are left out."""
    found = []
    for pid in pids_named("postgres"):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "postgres" not in command.split(" ", 1)[0]:
            continue
        is_backend = "(" in command  # "postgres: 15/main: <user> <database> <host>(<port>) <state>"
        if not is_backend or f" {database} " in command:
            found.append(pid)
    return found


class CpuMeter:
    """CPU seconds used by groups of processes between two readings (processes that appear count from zero)."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self._groups = groups
        self._start = {name: self._read(pids) for name, pids in groups.items()}

    @staticmethod
    def _read(pids: list[int]) -> dict[int, float]:
        readings = {}
        for pid in pids:
            try:
                readings[pid] = cpu_seconds(pid)
            except OSError:
                continue
        return readings

    def used(self, groups: dict[str, list[int]] | None = None) -> dict[str, float]:
        groups = groups or self._groups
        used = {}
        for name, pids in groups.items():
            now = self._read(pids)
            start = self._start.get(name, {})
            used[name] = round(sum(value - start.get(pid, 0.0) for pid, value in now.items()), 2)
        return used
