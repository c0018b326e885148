"""The fault-injection run, quick: ~2,000 reports while each service, the broker and PostgreSQL are killed,
restarted or paused in turn, on servers of its own. Nothing acknowledged is lost, no effect is doubled, nothing is
dead-lettered, and the system recovers from every fault by itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.environment import REPOSITORY
from chaos.servers import why_not_available


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_the_quick_fault_injection_run_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    reason = why_not_available()
    if reason:
        pytest.skip(f"cannot run servers of its own: {reason}")
    run = subprocess.run(
        ["nice", sys.executable, "-m", "chaos", "--quick", "--output", str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=460,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    results = json.loads((tmp_path / "quick-single-1-replica.json").read_text())
    verdict = results["verdict"]
    assert verdict["acknowledged"] >= 1900
    assert verdict["exactly_once"] == verdict["acknowledged"]
    assert sum(verdict["lost"].values()) == 0
    assert sum(verdict["duplicated"].values()) == 0
    assert sum(results["dead_letters"].values()) == 0
    kinds = {fault["kind"] for fault in results["faults"]}
    assert kinds == {"kill-service", "kill-broker", "pause-broker", "restart-postgres", "kill-postgres"}
    assert all(fault["flowing_again_s"] is not None for fault in results["faults"])
    assert results["recovered"] is True
    assert (tmp_path / "quick-single-1-replica.png").stat().st_size > 0
    assert "| fault |" in (tmp_path / "quick-single-1-replica.md").read_text()
