"""The benchmark harness, run small: it starts the pipeline, pushes a few reports through both entry points, and
writes every figure it promises, with each report assigned once and notified once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.environment import REPOSITORY


def test_a_small_benchmark_run_writes_every_figure_and_finds_every_report_handled_once(
    tmp_path: Path, infra
) -> None:
    # the broker and server the other tests use (local ones, or testcontainers')
    environment = {**os.environ, "ADMIN_DATABASE_URL": infra.admin_url, "RABBITMQ_URL": infra.rabbitmq_url}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--rates",
            "10",
            "--saturation-reports",
            "8",
            "--ceiling-messages",
            "200",
            "--drain-timeout",
            "30",
            "--output",
            str(tmp_path),
        ],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    results = json.loads((tmp_path / "latest.json").read_text())
    assert (tmp_path / "latency.png").stat().st_size > 0
    assert "| phase |" in run.stdout

    assert results["correct"] is True
    assert results["ceiling"]["throughput"] > 0
    assert results["headline"]["ratio"] > 0
    assert {phase["label"] for phase in results["phases"]} == {
        "http 10/s",
        "http saturation",
        "outbox 10/s",
        "outbox saturation",
    }
    for phase in results["phases"]:
        correctness = phase["correctness"]
        assert correctness["offered"] == phase["reports"]
        assert correctness["assigned_once"] == correctness["notified_once"] == phase["reports"], phase
        assert correctness["assigned_more_than_once"] == correctness["notified_more_than_once"] == 0
        for latency in ("latency_to_assigned_ms", "latency_to_delivered_ms"):
            figures = phase[latency]
            assert figures["count"] == phase["reports"]
            assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"] <= figures["max"]
    assert set(results["resources"]["peak_rss_mb"]) == {"patrol", "dispatch", "notify"}
    assert all(rss > 0 for rss in results["resources"]["peak_rss_mb"].values())
    assert {"patrol", "dispatch", "notify", "broker", "database"} <= set(results["resources"]["cpu_seconds"])
    assert results["ceiling"]["broker_cpu_ms_per_message"] >= 0
    assert set(results["broker_cpu_ms_per_report_at_saturation"]) == {"http", "outbox"}
    assert "Broker CPU:" in run.stdout
    reports = 20 + sum(phase["reports"] for phase in results["phases"])  # the warm-up's 20 as well
    assert results["totals"]["reports_committed"] == reports
    assert results["totals"]["webhook_calls"] == reports
