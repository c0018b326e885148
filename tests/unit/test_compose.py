"""The compose deployment is checked without Docker: against the Compose specification, and against the code."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from compose_spec import PyOptions
from compose_spec.models import ComposeSpecification

from ops.cli import parser as ops_parser
from ops.settings import OpsSettings
from services import SERVICE_NAMES, definition_of
from services.__main__ import SystemSettings
from shared.db.sessions import bounded_session_settings
from shared.messaging.connection import broker_urls
from shared.settings import EXAMPLE_SECRETS, PROVIDER_ISSUED

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)  # PyYAML resolves the `<<` merge keys
SERVICES = COMPOSE["services"]


def _env_names(settings_class: type) -> set[str]:
    return {name.upper() for name in settings_class.model_fields}


def test_the_file_is_a_valid_compose_specification():
    PyOptions(apply_merge=True).from_yaml(
        COMPOSE_TEXT
    ).validate()  # strict: unknown keys and values are errors


def test_the_file_validates_against_the_compose_json_schema():
    schema = ComposeSpecification.model_json_schema()
    jsonschema.validate(COMPOSE, schema)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_runs_its_own_command_on_its_own_port_with_a_matching_health_check(name):
    definition = definition_of(name)
    service = SERVICES[name]
    assert service["command"] == ["python", "-m", f"services.{name}", "run"]
    assert importlib.util.find_spec(f"services.{name}.__main__") is not None
    assert service["ports"] == [f"{definition.http_port}:{definition.http_port}"]
    probe = " ".join(service["healthcheck"]["test"])
    assert f"http://127.0.0.1:{definition.http_port}/readyz" in probe


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_every_variable_a_service_is_given_is_one_it_reads(name):
    given = set(SERVICES[name]["environment"])
    read = _env_names(definition_of(name).settings_class)
    assert given <= read, f"{name} is given variables it never reads: {sorted(given - read)}"
    assert {"RABBITMQ_URL", "DATABASE_URL", "AUTH_SECRET"} <= given


def test_the_set_up_jobs_run_real_commands_and_read_what_they_are_given():
    assert SERVICES["migrate"]["command"] == ["python", "-m", "services", "migrate"]
    assert set(SERVICES["migrate"]["environment"]) <= _env_names(SystemSettings) | {"LOG_FORMAT"}
    command = SERVICES["broker-definitions"]["command"]
    assert command[:3] == ["python", "-m", "ops"]
    ops_parser().parse_args(command[3:])  # exits on an unknown verb or option
    allowed = _env_names(OpsSettings) | {f"{name.upper()}_AMQP_PASSWORD" for name in SERVICE_NAMES}
    allowed |= {"RABBITMQ_ADMIN_USER", "RABBITMQ_ADMIN_PASSWORD"}
    assert set(SERVICES["broker-definitions"]["environment"]) <= allowed


VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(:?[?-][^}]*)?\}")  # ${NAME}, ${NAME:?message}, ${NAME:-default}


def test_every_variable_the_file_uses_has_a_line_in_env_example():
    used = {name for name, _ in VARIABLE.findall(COMPOSE_TEXT)}
    assert used, "no variables found: the pattern no longer matches the file"
    example = (ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert used <= defined, f"missing from .env.example: {sorted(used - defined)}"


def test_services_wait_for_healthy_dependencies_and_the_migration():
    for name in SERVICE_NAMES:
        needs = SERVICES[name]["depends_on"]
        assert needs["rabbitmq"]["condition"] == "service_healthy"
        assert needs["migrate"]["condition"] == "service_completed_successfully"
    assert (
        SERVICES["rabbitmq"]["depends_on"]["broker-definitions"]["condition"]
        == "service_completed_successfully"
    )


def test_the_image_is_multi_stage_installs_from_the_lock_file_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, flags=re.MULTILINE)) >= 2
    assert "uv sync --frozen --no-dev" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, flags=re.MULTILINE)
    assert user and user[-1] not in {"root", "0"}
    for copied in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / copied).exists(), f"the Dockerfile copies {copied}, which does not exist"


def _is_secret(name: str) -> bool:
    return name.endswith(("_PASSWORD", "_SECRET", "_KEY"))


def test_every_secret_is_passed_with_a_guard_so_compose_stops_when_it_is_unset():
    uses = VARIABLE.findall(COMPOSE_TEXT)
    secrets = {name for name, _ in uses if _is_secret(name)}
    assert {"AUTH_SECRET", "CONTACT_SEAL_KEY", "WEBHOOK_SECRET", "POSTGRES_PASSWORD"} <= secrets
    assert {"MONITORING_DB_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} <= secrets
    assert {f"{name.upper()}_DB_PASSWORD" for name in SERVICE_NAMES} <= secrets
    assert {f"{name.upper()}_AMQP_PASSWORD" for name in SERVICE_NAMES} | {
        "RABBITMQ_ADMIN_PASSWORD"
    } <= secrets
    unguarded = sorted({name for name, guard in uses if _is_secret(name) and not guard.startswith(":?")})
    assert not unguarded, f"secrets passed without ${{NAME:?...}}: {unguarded}"


@pytest.mark.parametrize("name", [*SERVICE_NAMES, "migrate", "broker-definitions"])
def test_every_process_of_ours_runs_in_production(name):
    assert SERVICES[name]["environment"]["ENVIRONMENT"] == "production"


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_is_given_every_secret_it_reads(name):
    settings = definition_of(name).settings_class(service_name=name)
    needed = {variable for variable in settings.secrets() if variable not in PROVIDER_ISSUED}
    given = set(SERVICES[name]["environment"])
    assert needed <= given, f"{name} would run on the default of {sorted(needed - given)}"


def test_every_secret_of_env_example_is_known_as_an_example_to_the_production_check():
    example = (ROOT / ".env.example").read_text()
    values = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, flags=re.MULTILINE))
    secrets = {name: value for name, value in values.items() if _is_secret(name)}
    assert len(secrets) >= 12
    assert {name: value for name, value in secrets.items() if value not in EXAMPLE_SECRETS} == {}


NODES = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")


def test_the_cluster_profile_adds_two_nodes_that_join_the_first():
    first = SERVICES["rabbitmq"]
    assert "profiles" not in first, "the first node runs in every deployment"
    cluster_conf = (ROOT / "deploy" / "rabbitmq" / "30-cluster.conf").read_text()
    listed = re.findall(
        r"^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$", cluster_conf, re.MULTILINE
    )
    assert listed == [f"rabbit@{SERVICES[node]['hostname']}" for node in NODES]
    assert "target_group_size = 3" in cluster_conf
    data_volumes = set()
    for node in NODES:
        service = SERVICES[node]
        assert service["image"] == first["image"]
        assert (
            service["hostname"] == node
        )  # the node's name, rabbit@<hostname>, must stay put across restarts
        assert (
            service["environment"]["RABBITMQ_ERLANG_COOKIE"] == first["environment"]["RABBITMQ_ERLANG_COOKIE"]
        )
        data_volumes |= {v.split(":")[0] for v in service["volumes"] if v.endswith(":/var/lib/rabbitmq")}
        if node != "rabbitmq":
            assert service["profiles"] == ["cluster"]
            assert (
                "./deploy/rabbitmq/30-cluster.conf:/etc/rabbitmq/conf.d/30-cluster.conf:ro"
                in service["volumes"]
            )
    assert len(data_volumes) == 3, "each node keeps its own data"
    assert data_volumes <= set(COMPOSE["volumes"])


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_is_given_every_node_of_the_cluster_with_its_own_user(name):
    urls = broker_urls(VARIABLE.sub("secret", SERVICES[name]["environment"]["RABBITMQ_URL"]))
    assert [urlsplit(url).hostname for url in urls] == list(NODES)
    assert {urlsplit(url).username for url in urls} == {name}


def _pgbouncer_ini() -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = {}
        else:
            key, _, value = line.partition("=")
            sections[current][key.strip()] = value.strip()
    return sections


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_pools_through_pgbouncer_in_transaction_mode_and_listens_in_session_mode(name):
    ini = _pgbouncer_ini()
    environment = SERVICES[name]["environment"]
    pooled = urlsplit(VARIABLE.sub("secret", environment["DATABASE_URL"]))
    listening = urlsplit(VARIABLE.sub("secret", environment["LISTEN_DATABASE_URL"]))
    assert (pooled.hostname, pooled.port, listening.hostname, listening.port) == (
        "pgbouncer",
        6432,
        "pgbouncer",
        6432,
    )
    assert "pool_mode=transaction" in ini["databases"][pooled.path.strip("/")]
    assert "pool_mode=session" in ini["databases"][listening.path.strip("/")]
    assert environment["DATABASE_STATEMENT_CACHE_SIZE"] == "0"
    assert SERVICES[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy"


def test_pgbouncer_lets_through_every_setting_a_service_asks_for_at_connection():
    ignored = set(_pgbouncer_ini()["pgbouncer"]["ignore_startup_parameters"].split(","))
    asked = set(bounded_session_settings(30)) | {"search_path"}  # application_name PgBouncer passes on itself
    assert asked <= ignored, f"PgBouncer would refuse the connection: {sorted(asked - ignored)}"
    assert "@postgres:5432/" in SERVICES["migrate"]["environment"]["ADMIN_DATABASE_URL"]
    users = (ROOT / "deploy" / "pgbouncer" / "pgbouncer-entrypoint").read_text()
    assert all(name in users for name in SERVICE_NAMES)
    assert set(SERVICES["pgbouncer"]["environment"]) == {
        f"{name.upper()}_DB_PASSWORD" for name in SERVICE_NAMES
    }

# Monitoring: Prometheus (with the alert rules), postgres_exporter and Grafana with its provisioned dashboards.
MONITORING = ("prometheus", "postgres-exporter", "grafana")
PROMETHEUS_CONFIG = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())


def _bind_mounts(service: dict) -> list[tuple[str, str]]:
    mounts = [volume.split(":") for volume in service.get("volumes", [])]
    return [(source, target) for source, target, *_ in mounts if source.startswith("./")]


def _scrape_targets() -> dict[str, list[str]]:
    return {
        job["job_name"]: [target for config in job["static_configs"] for target in config["targets"]]
        for job in PROMETHEUS_CONFIG["scrape_configs"]
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_file_the_file_mounts_exists(name):
    for source, _ in _bind_mounts(SERVICES[name]):
        assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"


def test_prometheus_scrapes_every_service_the_broker_and_the_database_and_loads_the_alerts():
    targets = _scrape_targets()
    for name in SERVICE_NAMES:
        assert targets[name] == [f"{name}:{definition_of(name).http_port}"], "the job is the service's name"
    assert targets["rabbitmq"] == ["rabbitmq:15692"] and targets["rabbitmq-queues"] == ["rabbitmq:15692"]
    assert targets["postgres"] == ["postgres-exporter:9187"]
    for target in (target for listed in targets.values() for target in listed):
        assert target.split(":")[0] in SERVICES, f"{target} is no service of the compose file"
    assert PROMETHEUS_CONFIG["rule_files"] == ["alerts.yml"]
    assert ("./deploy/prometheus", "/etc/prometheus") in _bind_mounts(SERVICES["prometheus"])
    assert "--config.file=/etc/prometheus/prometheus.yml" in SERVICES["prometheus"]["command"]


def test_rabbitmq_serves_its_prometheus_endpoint():
    plugins = (ROOT / "deploy" / "rabbitmq" / "enabled_plugins").read_text()
    assert "rabbitmq_prometheus" in plugins and "rabbitmq_management" in plugins
    assert ("./deploy/rabbitmq/enabled_plugins", "/etc/rabbitmq/enabled_plugins") in _bind_mounts(
        SERVICES["rabbitmq"]
    )


def test_postgres_exporter_logs_in_as_the_monitoring_role_that_migrate_provisions():
    dsn = SERVICES["postgres-exporter"]["environment"]["DATA_SOURCE_NAME"]
    assert dsn.startswith("postgresql://monitoring:${MONITORING_DB_PASSWORD:?") and "@postgres:5432/" in dsn
    assert "MONITORING_DB_PASSWORD" in SERVICES["migrate"]["environment"]
    assert (
        SERVICES["postgres-exporter"]["depends_on"]["migrate"]["condition"]
        == "service_completed_successfully"
    )


def test_grafana_is_provisioned_from_deploy_grafana_with_a_guarded_admin_password():
    grafana = SERVICES["grafana"]
    mounts = dict(_bind_mounts(grafana))
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert mounts["./deploy/grafana/dashboards"] == "/var/lib/grafana/dashboards"
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/grassroots.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (ROOT / "deploy/grafana/dashboards" / Path(home).name).exists()
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "false"


@pytest.mark.parametrize("name", ["rabbitmq", *MONITORING])
def test_operator_interfaces_listen_on_loopback_only(name):
    for published in SERVICES[name].get("ports", []):
        assert published.startswith("127.0.0.1:"), f"{name} publishes {published} beyond this host"


def test_the_local_images_override_keeps_every_service_without_a_local_image_out_of_a_plain_up():
    override = yaml.safe_load((ROOT / "deploy" / "local-images" / "compose.override.yml").read_text())
    swapped = {name for name, service in override["services"].items() if "image" in service}
    ours = {name for name, service in SERVICES.items() if "build" in service}  # built from this repository
    in_a_profile = {name for name, service in SERVICES.items() if service.get("profiles")}
    for name in set(SERVICES) - swapped - ours - in_a_profile:
        assert override["services"].get(name, {}).get("profiles"), f"{name}'s image cannot be made locally"
    assert set(MONITORING) <= set(SERVICES) - swapped - ours
