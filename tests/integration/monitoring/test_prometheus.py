"""The deployment's monitoring with Debian's Prometheus (`scripts/prometheus` installs it): the alert rules pass
`promtool check` and their unit tests, and a Prometheus of the test's own, on a free loopback port in a temporary
folder, scrapes a running service and answers PromQL over what it scraped."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port, service_process
from tests.support.waiting import eventually

RULES = Path(__file__).parents[3] / "deploy" / "prometheus"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: run scripts/prometheus (as root it installs Debian's prometheus)"
        )
    return found


def test_the_alert_rules_are_valid_and_fire_when_they_should():
    for args in (
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts_test.yml"],
        ["check", "config", "prometheus.yml"],
    ):
        done = subprocess.run(
            [tool("promtool"), *args], cwd=RULES, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


async def test_prometheus_scrapes_a_running_service(infra, topology, tmp_path):
    port, prometheus_port = free_port(), free_port()
    env = {
        **os.environ,
        "RABBITMQ_URL": infra.rabbitmq_url,
        "AMQP_NAMESPACE": topology.namespace,
        "DATABASE_URL": infra.database_url("training"),
        "LOG_LEVEL": "WARNING",
        "METRICS_REFRESH_SECONDS": "0",
    }
    shutil.copy(RULES / "alerts.yml", tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "rule_files: [alerts.yml]\n"
        f"scrape_configs: [{{job_name: training, static_configs: [{{targets: ['127.0.0.1:{port}']}}]}}]\n"
    )
    async with service_process("training", env, port):
        prometheus = await asyncio.create_subprocess_exec(
            tool("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{prometheus_port}",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{prometheus_port}") as client:
                answers: dict[str, list] = {}

                async def answered(query: str) -> bool:
                    try:
                        response = await client.get("/api/v1/query", params={"query": query})
                    except httpx.TransportError:
                        return False
                    answers[query] = response.json()["data"]["result"] if response.status_code == 200 else []
                    return bool(answers[query])

                consumers = f'grassroots_queue_consumers{{job="training", queue="{topology.queue("training", "issue.resolved")}"}}'
                await eventually(lambda: answered(consumers), timeout=60, what="the service scraped")
                await eventually(
                    lambda: answered('sum(grassroots_http_requests_total{job="training", route="/metrics"})'),
                    what="the scrapes counted",
                )
                assert await answered('up{job="training"} == 1')
                rules = (await client.get("/api/v1/rules")).json()["data"]["groups"]
        finally:
            prometheus.terminate()
            await prometheus.wait()
    assert answers[consumers][0]["value"][1] == "1"
    assert {rule["name"] for group in rules for rule in group["rules"]} >= {
        "ServiceNotReady",
        "OutboxLagging",
        "DeadLetters",
        "QueueWithoutConsumer",
        "OverdueCasesGrowing",
        "NotificationsFailing",
    }
