"""The provisioned dashboards are real: every PromQL expression of the dashboards and the alert rules is accepted
by Debian's Prometheus (`promtool check rules`, then the query API of a Prometheus of the test's own), and the
series the services' panels read exist in a running service's /metrics and answer once a report has flowed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import aio_pika
import httpx
import pytest
import yaml

from shared.db.provision import provision
from shared.db.url import with_user
from shared.events.envelope import new_envelope
from tests.integration.dispatch.helpers import PATROL, a_report, bind_sink, publish
from tests.integration.monitoring.test_prometheus import tool
from tests.support.private_rabbitmq import private_rabbitmq, why_not_available
from tests.support.processes import free_port, service_process
from tests.support.waiting import eventually

DEPLOY = Path(__file__).parents[3] / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
# Series of the broker's and the database's own exporters (rabbitmq_prometheus, postgres_exporter), and
# Prometheus' own `up`: not in a service's /metrics.
OTHER_EXPORTERS = re.compile(r"^(rabbitmq_|pg_|up$)")
# What an expression names that is not a series: functions, keywords, label names after by/without.
_NOT_SERIES = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)|\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\""
)
_IDENTIFIER = re.compile(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()")
_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "offset", "bool", "inf", "nan"}


def panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def dashboard_expressions() -> list[tuple[str, str, str]]:
    """(dashboard, panel title, expression) of every query of every provisioned dashboard."""
    return [
        (path.stem, panel["title"], target["expr"])
        for path in DASHBOARDS
        for panel in panels(json.loads(path.read_text()))
        for target in panel.get("targets", [])
    ]


def alert_expressions() -> list[tuple[str, str, str]]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    return [("alerts", rule["alert"], rule["expr"]) for group in rules["groups"] for rule in group["rules"]]


def series_named(expression: str) -> set[str]:
    stripped = _NOT_SERIES.sub(" ", expression)
    stripped = re.sub(r"\b\d+(\.\d+)?\b", " ", stripped)
    return {name for name in _IDENTIFIER.findall(stripped) if name.lower() not in _KEYWORDS}


def exposed_series(text: str) -> set[str]:
    """Every series name a /metrics text holds as Prometheus reads it (a parser would rename some), and those of
    labelled families declared without samples yet."""
    names, declared = set(), {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            declared[name] = kind
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    for name, kind in declared.items():
        if kind == "histogram":
            names.update(f"{name}{suffix}" for suffix in ("_bucket", "_count", "_sum"))
        elif kind == "counter" and not name.endswith("_total"):
            names.add(f"{name}_total")
        else:
            names.add(name)
    return names


def test_the_dashboards_are_provisioned_from_the_folder_compose_mounts_with_the_one_datasource():
    assert {path.stem for path in DASHBOARDS} >= {"pipeline", "district"}
    datasources = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    [source] = datasources["datasources"]
    assert source["url"] == "http://prometheus:9090"
    uids = set()
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        uids.add(dashboard["uid"])
        for panel in panels(dashboard):
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] == source["uid"], f"{path.stem}: {panel['title']}"
                assert panel["targets"], f"{path.stem}: {panel['title']} has no query"
    assert len(uids) == len(DASHBOARDS)


def test_every_expression_of_the_dashboards_and_the_alerts_passes_promtool(tmp_path):
    expressions = dashboard_expressions() + alert_expressions()
    rules = {
        "groups": [
            {
                "name": "dashboards",
                "rules": [
                    {"record": f"dashboard:check_{number}", "expr": expression}
                    for number, (_, _, expression) in enumerate(expressions)
                ],
            }
        ]
    }
    (tmp_path / "expressions.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
    done = subprocess.run(
        [tool("promtool"), "check", "rules", "expressions.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert f"SUCCESS: {len(expressions)} rules found" in done.stdout


def test_the_series_each_expression_names_are_read_from_it():
    assert series_named(
        'histogram_quantile(0.99, sum by (le) (rate(grassroots_event_lag_seconds_bucket{job="dispatch"}[5m])))'
    ) == {"grassroots_event_lag_seconds_bucket"}
    assert series_named("count(max by (queue) (grassroots_queue_consumers) == 0) or vector(0)") == {
        "grassroots_queue_consumers"
    }


async def test_a_running_service_exposes_every_series_the_dashboards_read_and_prometheus_answers_them(
    infra, amqp, topology, tmp_path
):
    port, prometheus_port = free_port(), free_port()
    env = {
        **os.environ,
        "RABBITMQ_URL": infra.rabbitmq_url,
        "AMQP_NAMESPACE": topology.namespace,
        "DATABASE_URL": infra.database_url("dispatch"),
        "LOG_LEVEL": "WARNING",
        "METRICS_REFRESH_SECONDS": "0",
    }
    shutil.copy(DEPLOY / "prometheus" / "alerts.yml", tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "rule_files: [alerts.yml]\n"
        f"scrape_configs: [{{job_name: dispatch, static_configs: [{{targets: ['127.0.0.1:{port}']}}]}}]\n"
    )
    await bind_sink(amqp, topology)  # dispatch's assignment needs a queue bound to be published
    expressions = dashboard_expressions() + alert_expressions()
    async with (
        service_process("dispatch", env, port),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as service,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{prometheus_port}") as client,
    ):
        prometheus = await asyncio.create_subprocess_exec(
            tool("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{prometheus_port}",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:

            async def query(expression: str) -> tuple[int, list]:
                response = await client.get("/api/v1/query", params={"query": expression})
                if response.status_code == 503:  # still starting: plain text until its storage is ready
                    return response.status_code, []
                body = response.json()
                return response.status_code, body.get("data", {}).get("result", body.get("error"))

            async def scraped(expression: str) -> bool:
                try:
                    status, result = await query(expression)
                except httpx.TransportError:
                    return False
                return status == 200 and bool(result)

            # Two reports, scraped in between: a rate needs the counter to move between two scrapes.
            for reports in (1, 2):
                report = a_report("fire.balcony-storage" if reports == 1 else "greenery.dead-branch")
                await publish(amqp, topology, report, new_envelope(report, source=PATROL))
                lag = f'grassroots_event_lag_seconds_count{{job="dispatch", event_type="hazard.reported"}} == {reports}'
                await eventually(
                    lambda lag=lag: scraped(lag), timeout=60, what=f"report {reports} handled and scraped"
                )
            exposed = exposed_series((await service.get("/metrics")).text)
            answers = {expression: await query(expression) for _, _, expression in expressions}
        finally:
            prometheus.terminate()
            await prometheus.wait()

    refused = {expression: result for expression, (status, result) in answers.items() if status != 200}
    assert not refused, f"Prometheus refused: {refused}"
    named = {
        name
        for _, _, expression in expressions
        for name in series_named(expression)
        if not OTHER_EXPORTERS.match(name)
    }
    assert named >= {
        "grassroots_event_lag_seconds_bucket",
        "grassroots_dispatch_cases_open",
        "grassroots_dispatch_cases_resolved_recently",
        "grassroots_outbox_oldest_unpublished_age_seconds",
        "grassroots_queue_messages",
        "grassroots_notify_deliveries_total",
    }, "the parser of the expressions lost the main panels' series"
    assert named <= exposed, f"not in a service's /metrics: {sorted(named - exposed)}"

    def answered(dashboard: str, title: str) -> list:
        """What the panel's first query answered."""
        return next(answers[e][1] for d, t, e in dashboard_expressions() if (d, t) == (dashboard, title))

    # the main panels, over what Prometheus scraped from dispatch while two reports became cases
    [p50] = answered("pipeline", "Report → assignment")
    assert 0 < float(p50["value"][1]) < 60, p50
    assert float(answered("district", "Open cases")[0]["value"][1]) >= 2
    assert "WG" in {series["metric"]["street"] for series in answered("district", "Open cases by street")}
    assert float(answered("pipeline", "Outbox lag, worst service")[0]["value"][1]) < 30
    assert answered("pipeline", "Dead letters")[0]["value"][1] == "0"
    assert answered("pipeline", "Queues without a consumer")[0]["value"][1] == "0"
    depths = answered("pipeline", "Queue depths (ready messages)")
    assert topology.queue("dispatch", "hazard.reported") in {series["metric"]["queue"] for series in depths}


@pytest.mark.parametrize("name", ["pipeline", "district"])
def test_each_dashboard_is_described_and_tagged(name):
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / f"{name}.json").read_text())
    assert dashboard["uid"] == f"grassroots-{name}" and "grassroots" in dashboard["tags"]
    assert dashboard["description"]


@pytest.mark.slow
async def test_the_broker_series_the_dashboards_read_exist_in_rabbitmqs_own_endpoint():
    """RabbitMQ's rabbitmq_prometheus plugin (what compose enables, deploy/rabbitmq/enabled_plugins), on a node of
    the test's own: its totals at /metrics, each queue at /metrics/detailed (the `rabbitmq-queues` job)."""
    reason = why_not_available()
    if reason:
        pytest.skip(f"cannot run a RabbitMQ node of its own: {reason}")
    jobs = {
        job["job_name"]: job
        for job in yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    }
    async with private_rabbitmq(prometheus=True) as broker:
        connection = await aio_pika.connect(broker.url)
        channel = await connection.channel()
        queue = await channel.declare_queue(
            "dispatch.hazard.reported", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=queue.name)
        base = f"http://127.0.0.1:{broker.prometheus_port}"
        detailed = jobs["rabbitmq-queues"]
        texts: dict[str, str] = {}
        async with httpx.AsyncClient(base_url=base) as client:

            async def counted() -> bool:  # the node refreshes its queue figures every few seconds
                texts["totals"] = (await client.get(jobs["rabbitmq"].get("metrics_path", "/metrics"))).text
                texts["per_queue"] = (
                    await client.get(detailed["metrics_path"], params=detailed["params"])
                ).text
                return one_ready in texts["per_queue"]

            one_ready = 'rabbitmq_detailed_queue_messages_ready{vhost="/",queue="dispatch.hazard.reported"} 1'
            await eventually(counted, timeout=30, what="the queue's message in the per-queue metrics")
        totals, per_queue = texts["totals"], texts["per_queue"]
        await connection.close()
    exposed = exposed_series(totals) | exposed_series(per_queue)
    named = {
        name
        for _, _, expression in dashboard_expressions()
        for name in series_named(expression)
        if name.startswith("rabbitmq_")
    }
    assert {"rabbitmq_queue_messages_ready", "rabbitmq_detailed_queue_messages_ready"} <= named
    assert named <= exposed, f"not served by RabbitMQ: {sorted(named - exposed)}"


async def test_the_database_series_the_dashboards_read_exist_in_postgres_exporter(infra, tmp_path):
    """postgres_exporter (Debian's; compose runs its image) logged in as the `monitoring` role that provisioning
    makes: PostgreSQL's statistics, for the dashboards' database panels."""
    await provision(infra.admin_url, infra.database, {}, monitoring_password="monitoring")
    port = free_port()
    exporter = await asyncio.create_subprocess_exec(
        tool("prometheus-postgres-exporter"),
        f"--web.listen-address=127.0.0.1:{port}",
        env={
            **os.environ,
            "DATA_SOURCE_NAME": with_user(infra.database_url("dispatch"), "monitoring", "monitoring")
            + "?sslmode=disable",
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    texts: list[str] = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            async def served() -> bool:  # its first scrape learns the server's version, the next has it all
                try:
                    texts.append((await client.get("/metrics")).text)
                except httpx.TransportError:
                    return False
                return "pg_stat_activity_count" in texts[-1]

            await eventually(served, timeout=30, what="postgres_exporter to answer with the statistics")
    finally:
        exporter.terminate()
        await exporter.wait()
    named = {
        name
        for _, _, expression in dashboard_expressions()
        for name in series_named(expression)
        if name.startswith("pg_")
    }
    assert {"pg_up", "pg_stat_activity_count"} <= named
    assert named <= exposed_series(texts[-1]), (
        f"not served by postgres_exporter: {sorted(named - exposed_series(texts[-1]))}"
    )
    assert "pg_up 1" in texts[-1], "the monitoring role logs in"
    assert f'datname="{infra.database}"' in texts[-1], "the grassroots database's statistics"
