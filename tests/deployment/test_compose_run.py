"""docker-compose.yml run for real with podman on images built from Debian's packages (deploy/local-images):
every health check turns healthy, Old Ma's story plays through the published ports, each service is confined to
its own queues and schema, the story survives a service's and the broker's restart, and the data a `down` and
`up` with the volumes kept."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services import SERVICE_NAMES, definition_of

pytestmark = [pytest.mark.slow, pytest.mark.deployment, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
PROJECT = f"grassroots-deploy-{os.getpid()}"
PYTHON_IMAGE = "localhost/grassroots-local/python:3.11"
DEBIAN_IMAGE = "localhost/grassroots-local/debian:bookworm"
# Every value the compose file refuses to run without (`${NAME:?...}`), so a new guard needs no edit here; the
# monitoring services stay out of the override's plain `up`, but compose checks every guard of the file.
SECRETS = sorted(set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.yml").read_text())))
CONTAINER_PORTS = {name: definition_of(name).http_port for name in SERVICE_NAMES}

pytestmark.append(
    pytest.mark.skipif(
        shutil.which("podman") is None and os.geteuid() != 0, reason="needs podman, or root to install it"
    )
)


def run(*command: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} → {result.returncode}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


def container(service: str) -> str:
    return f"{PROJECT}_{service}_1"


class Stack:
    """podman-compose over the real compose file, the image swap and a file of free loopback host ports."""

    def __init__(self, folder: Path) -> None:
        self.ports = {name: free_port() for name in CONTAINER_PORTS}
        self.env = {name: secrets.token_hex(32) for name in SECRETS}
        self.env |= {
            "RABBITMQ_ADMIN_USER": "grassroots-admin",
            "GRAFANA_ADMIN_USER": "grassroots-admin",
            "PATROL_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.ports['patrol']}",
            "CONSOLE_PUBLIC_URL": f"http://127.0.0.1:{self.ports['console']}",
        }
        (folder / ".env").write_text("".join(f"{key}={value}\n" for key, value in self.env.items()))
        self.management_port = free_port()
        published = {"rabbitmq": (self.management_port, 15672)} | {
            name: (self.ports[name], port) for name, port in CONTAINER_PORTS.items()
        }
        # !override: compose merges port lists, and the file's own 8001-8005 may be taken on this machine.
        (folder / "ports.yml").write_text(
            "services:\n"
            + "".join(
                f'  {name}:\n    ports: !override\n      - "127.0.0.1:{host}:{inside}"\n'
                for name, (host, inside) in published.items()
            )
        )
        self.compose = [
            str(Path(sys.executable).with_name("podman-compose")),  # locked in the dev dependencies
            "-p",
            PROJECT,
            "--env-file",
            str(folder / ".env"),
            "-f",
            "docker-compose.yml",
            "-f",
            "deploy/local-images/compose.override.yml",
            "-f",
            str(folder / "ports.yml"),
        ]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def up(self) -> None:
        """Compose's order, its conditions played by hand: podman 4.3 ignores `service_healthy`, and without
        systemd runs no health check by itself."""
        self.start("broker-definitions")
        self.completed("broker-definitions")
        self.start("rabbitmq", "postgres")
        self.healthy("rabbitmq", "postgres")
        self.start("pgbouncer")
        self.healthy("pgbouncer")
        self.start("migrate")
        self.completed("migrate")
        self.start(*SERVICE_NAMES)
        self.healthy(*SERVICE_NAMES)

    def start(self, *services: str) -> None:
        run(*self.compose, "up", "-d", "--no-deps", *services)

    def completed(self, service: str) -> None:
        code = run("podman", "wait", container(service), timeout=300).stdout.strip()
        logs = run("podman", "logs", container(service), check=False)
        assert code == "0", f"{service} exited {code}:\n{logs.stdout[-2000:]}{logs.stderr[-2000:]}"

    def healthy(self, *services: str, within: float = 240) -> None:
        waiting = set(services)
        deadline = time.monotonic() + within
        while waiting and time.monotonic() < deadline:
            for service in sorted(waiting):
                if run("podman", "healthcheck", "run", container(service), check=False).returncode == 0:
                    waiting.discard(service)
            time.sleep(2)
        assert not waiting, f"not healthy within {within} s: {sorted(waiting)}"

    def down(self, *, volumes: bool) -> None:
        run(*self.compose, "down", *(["-v"] if volumes else []), timeout=300)

    def sql(self, query: str) -> str:
        return run(
            "podman",
            "exec",
            container("postgres"),
            "psql",
            "-U",
            "postgres",
            "-d",
            "grassroots",
            "-tAc",
            query,
        ).stdout.strip()

    def management(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = httpx.request(
            method,
            f"http://127.0.0.1:{self.management_port}/api/{path}",
            auth=(self.env["RABBITMQ_ADMIN_USER"], self.env["RABBITMQ_ADMIN_PASSWORD"]),
            timeout=30,
            **kwargs,
        )
        response.raise_for_status()
        return response

    def park_a_message(self, queue: str) -> None:
        """A persistent message left in a queue nobody consumes, as a dead letter waits for an operator."""
        body = {
            "properties": {"delivery_mode": 2},
            "routing_key": queue,
            "payload": "{}",
            "payload_encoding": "string",
        }
        assert self.management("POST", "exchanges/%2F/amq.default/publish", json=body).json()["routed"]

    def messages_in(self, queue: str) -> int:
        for _ in range(30):  # the management API's counts lag a few seconds behind
            count = self.management("GET", f"queues/%2F/{queue}").json().get("messages")
            if count:
                return count
            time.sleep(1)
        return 0

    def demo(self) -> str:
        env = os.environ | {f"{name.upper()}_URL": self.url(name) for name in CONTAINER_PORTS}
        env["AUTH_SECRET"] = self.env["AUTH_SECRET"]
        result = subprocess.run(
            [sys.executable, "-m", "ops", "demo"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory):
    run(str(ROOT / "deploy/local-images/build"), timeout=900)
    run(
        "podman",
        "build",
        "--build-arg",
        f"PYTHON_IMAGE={PYTHON_IMAGE}",
        "-t",
        "grassroots:latest",
        ".",
        timeout=900,
    )
    run(
        "podman",
        "build",
        "--build-arg",
        f"BASE={DEBIAN_IMAGE}",
        "-t",
        "grassroots-pgbouncer:latest",
        "deploy/pgbouncer",
        timeout=900,
    )
    stack = Stack(tmp_path_factory.mktemp("compose"))
    try:
        stack.up()
        yield stack
    finally:
        stack.down(volumes=True)


def test_the_set_up_jobs_run_and_every_health_check_turns_healthy(stack: Stack):
    assert (
        stack.sql(
            "SELECT count(*) FROM pg_roles WHERE rolname IN ('patrol','dispatch','notify','training','console')"
        )
        == "5"
    )
    assert "patrol" in stack.sql("SELECT string_agg(nspname, ',') FROM pg_namespace")


def test_old_ma_s_story_plays_through_the_published_ports(stack: Stack):
    out = stack.demo()
    assert out.count("report ") >= 3, out
    assert stack.sql("SELECT count(*) FROM dispatch.cases WHERE status = 'closed'") == "3"


SCRAPE = r"""
import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
"""


def test_what_prometheus_scrapes_answers_on_the_compose_network(stack: Stack):
    """The monitoring services themselves have no local image (the override leaves them out), but what they read
    is there: each service's /metrics, RabbitMQ's own endpoint with each queue, and the exporter's role."""
    for name in CONTAINER_PORTS:
        metrics = httpx.get(f"{stack.url(name)}/metrics", timeout=30).text
        assert "grassroots_outbox_oldest_unpublished_age_seconds" in metrics, name
    detailed = (
        "http://rabbitmq:15692/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count"
    )
    out = run("podman", "exec", container("patrol"), "python", "-c", SCRAPE, detailed).stdout
    assert 'rabbitmq_detailed_queue_consumers{vhost="/",queue="dispatch.hazard.reported"} 1' in out
    totals = run(
        "podman", "exec", container("patrol"), "python", "-c", SCRAPE, "http://rabbitmq:15692/metrics"
    )
    assert "rabbitmq_queue_messages_ready" in totals.stdout
    assert stack.sql("SELECT pg_has_role('monitoring', 'pg_monitor', 'member')") == "t"
    assert stack.sql("SELECT has_schema_privilege('monitoring', 'patrol', 'USAGE')") == "f"


CONFINEMENT = r"""
import asyncio, json, os, sys
import aio_pika, asyncpg
from aiormq.exceptions import ChannelAccessRefused
from shared.messaging.connection import broker_urls

me, others = sys.argv[1], sys.argv[2:]

async def main():
    refused = {"queues": [], "schemas": []}
    connection = await aio_pika.connect(broker_urls(os.environ["RABBITMQ_URL"])[0])  # the node that runs
    for other in others:
        channel = await connection.channel()
        try:
            queue = await channel.get_queue(f"{other}.dead-letter", ensure=False)
            await queue.get(fail=False)
        except ChannelAccessRefused:
            refused["queues"].append(other)
    own = await (await connection.channel()).get_queue(f"{me}.dead-letter", ensure=False)
    await own.get(fail=False)  # its own queue answers
    await connection.close()
    db = await asyncpg.connect(os.environ["DATABASE_URL"], statement_cache_size=0)  # through PgBouncer
    for other in others:
        try:
            await db.fetch(f"SELECT 1 FROM {other}.inbox LIMIT 1")
        except asyncpg.InsufficientPrivilegeError:
            refused["schemas"].append(other)
    await db.fetch(f"SELECT 1 FROM {me}.inbox LIMIT 1")
    await db.close()
    print(json.dumps(refused))

asyncio.run(main())
"""


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_service_is_refused_every_other_service_s_queues_and_schema(stack: Stack, service: str):
    others = [name for name in SERVICE_NAMES if name != service]
    out = run("podman", "exec", container(service), "python", "-c", CONFINEMENT, service, *others).stdout
    assert json.loads(out) == {"queues": others, "schemas": others}


def test_the_story_is_delivered_once_across_a_service_s_and_the_broker_s_restart(stack: Stack):
    run("podman", "restart", container("notify"), timeout=120)
    run("podman", "restart", container("rabbitmq"), timeout=180)
    stack.healthy("rabbitmq", *SERVICE_NAMES)
    stack.demo()
    assert stack.sql("SELECT count(*) FROM dispatch.cases WHERE status = 'closed'") == "6"
    duplicates = stack.sql(
        "SELECT count(*) FROM (SELECT 1 FROM notify.deliveries "
        "GROUP BY cause_event_id, recipient_id, channel, purpose HAVING count(*) > 1) AS twice"
    )
    assert duplicates == "0"
    for consumer in ("patrol", "notify", "training", "console"):  # every one of them takes issue.resolved
        handled = stack.sql(
            f"SELECT count(*) FROM dispatch.outbox o JOIN {consumer}.inbox i USING (event_id) "
            "WHERE o.event_type = 'issue.resolved'"
        )
        assert handled == "6", f"{consumer} handled {handled} of the 6 resolutions"
    for service in SERVICE_NAMES:
        left = stack.sql(
            f"SELECT count(*) FROM {service}.outbox WHERE published_at IS NULL AND NOT unroutable"
        )
        assert left == "0", f"{service} has {left} events still waiting to be published"


def test_down_and_up_with_the_volumes_kept_finds_the_data_and_the_queued_messages(stack: Stack):
    before = stack.sql("SELECT count(*) FROM dispatch.cases")
    assert int(before) >= 6
    stack.park_a_message("patrol.dead-letter")
    stack.down(volumes=False)
    stack.up()
    assert stack.sql("SELECT count(*) FROM dispatch.cases") == before
    assert stack.messages_in("patrol.dead-letter") == 1, "the broker's queued messages were lost"
    stack.demo()
    assert int(stack.sql("SELECT count(*) FROM dispatch.cases")) == int(before) + 3
