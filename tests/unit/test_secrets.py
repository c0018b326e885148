"""No default secret runs in production: the code's defaults, .env.example's values, a password equal to its
service's name and short secrets are refused, naming the variable; development accepts them with a warning."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ops.settings import OpsSettings
from services import SERVICE_NAMES, definition_of
from services.__main__ import SystemSettings
from shared.settings import DefaultSecretRefused, weak_secrets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))


def strong() -> str:
    return secrets.token_hex(32)


def production_service(name: str, **overrides: str):
    """A service's settings as compose gives them, every secret strong unless overridden."""
    values: dict[str, object] = {
        "service_name": name,
        "environment": "production",
        "auth_secret": strong(),
        "contact_seal_key": strong(),
        "database_url": f"postgresql://{name}:{strong()}@postgres:5432/grassroots",
        "rabbitmq_url": f"amqp://{name}:{strong()}@rabbitmq:5672/",
    }
    if name == "notify":
        values["webhook_secret"] = strong()
    values.update(overrides)
    return definition_of(name).settings_class(**values)


def production_system(**overrides: str) -> SystemSettings:
    values = {f"{name}_db_password": strong() for name in SERVICE_NAMES}
    values["admin_database_url"] = f"postgresql://postgres:{strong()}@postgres:5432/grassroots"
    values.update(overrides)
    return SystemSettings(environment="production", **values)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_a_service_with_strong_secrets_starts_in_production(name):
    assert production_service(name).check_secrets() == []


SERVICE_DEFAULTS = [
    # (service, field, value, variable named in the error)
    *[(name, "auth_secret", None, "AUTH_SECRET") for name in SERVICE_NAMES],
    *[(name, "contact_seal_key", None, "CONTACT_SEAL_KEY") for name in ("patrol", "notify", "training")],
    *[(name, "database_url", "", "DATABASE_URL") for name in SERVICE_NAMES],  # the code's default URL
    *[(name, "rabbitmq_url", None, "RABBITMQ_URL") for name in SERVICE_NAMES],  # guest:guest
    ("notify", "webhook_secret", None, "WEBHOOK_SECRET"),
    ("patrol", "auth_secret", EXAMPLE["AUTH_SECRET"], "AUTH_SECRET"),
    ("notify", "contact_seal_key", EXAMPLE["CONTACT_SEAL_KEY"], "CONTACT_SEAL_KEY"),
    ("notify", "webhook_secret", EXAMPLE["WEBHOOK_SECRET"], "WEBHOOK_SECRET"),
    ("dispatch", "rabbitmq_url", "amqp://dispatch:Xk2-short@rabbitmq:5672/", "RABBITMQ_URL"),
    ("notify", "webhook_secret", "sixteen-chars-ok", "WEBHOOK_SECRET"),
    (
        "patrol",
        "database_url",
        f"postgresql://patrol:{EXAMPLE['PATROL_DB_PASSWORD']}@postgres:5432/grassroots",
        "DATABASE_URL",
    ),
    ("training", "database_url", "postgresql://training:training@postgres:5432/grassroots", "DATABASE_URL"),
    (
        "dispatch",
        "rabbitmq_url",
        f"amqp://dispatch:{EXAMPLE['DISPATCH_AMQP_PASSWORD']}@rabbitmq:5672/",
        "RABBITMQ_URL",
    ),
    ("notify", "smtp_password", "change-me-smtp", "SMTP_PASSWORD"),
]


@pytest.mark.parametrize(("name", "field", "value", "variable"), SERVICE_DEFAULTS)
def test_production_refuses_a_service_secret_that_is_a_default_naming_the_variable(
    name, field, value, variable
):
    settings_class = definition_of(name).settings_class
    default = settings_class.model_fields[field].default if value is None else value
    settings = production_service(name, **{field: default})
    with pytest.raises(DefaultSecretRefused) as refused:
        settings.check_secrets()
    assert variable in str(refused.value)
    assert [line for line in str(refused.value).split("; ") if variable in line]


@pytest.mark.parametrize("name", SERVICE_NAMES)
@pytest.mark.parametrize("value", ["default", "example", "service name", "short"])
def test_production_refuses_each_default_database_password_of_migrate(name, value):
    variable = f"{name.upper()}_DB_PASSWORD"
    password = {
        "default": SystemSettings.model_fields[f"{name}_db_password"].default,
        "example": EXAMPLE[variable],
        "service name": name.upper(),
        "short": "x7Tq" * 5,
    }[value]
    with pytest.raises(DefaultSecretRefused) as refused:
        production_system(**{f"{name}_db_password": password}).check_secrets()
    assert variable in str(refused.value)


@pytest.mark.parametrize(
    "admin_url",
    [
        SystemSettings.model_fields["admin_database_url"].default,
        f"postgresql://postgres:{EXAMPLE['POSTGRES_PASSWORD']}@postgres:5432/grassroots",
    ],
)
def test_production_refuses_the_database_administrators_default_password(admin_url):
    with pytest.raises(DefaultSecretRefused, match="ADMIN_DATABASE_URL"):
        production_system(admin_database_url=admin_url).check_secrets()


def test_migrate_with_strong_passwords_passes_in_production():
    assert production_system().check_secrets() == []
    assert production_system(monitoring_db_password=strong()).check_secrets() == []


@pytest.mark.parametrize("password", ["monitoring", "change-me-monitoring-db", "short"])
def test_migrate_refuses_a_weak_monitoring_password_in_production(password):
    with pytest.raises(SystemExit, match="MONITORING_DB_PASSWORD"):
        production_system(monitoring_db_password=password).check_secrets()


@pytest.mark.parametrize(
    "variable", ["RABBITMQ_ADMIN_PASSWORD", *[f"{name.upper()}_AMQP_PASSWORD" for name in SERVICE_NAMES]]
)
def test_the_broker_users_example_passwords_are_weak(variable):
    assert weak_secrets({variable: EXAMPLE[variable]}) == [f"{variable}: a default or example value"]
    assert weak_secrets({variable: "patrol"}, names=["patrol"])
    assert weak_secrets({variable: strong()}, names=["patrol"]) == []


def run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in EXAMPLE and key != "ENVIRONMENT"}
    return subprocess.run(
        [sys.executable, *argv], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_a_service_refuses_to_start_in_production_on_its_defaults_naming_them():
    done = run(["-m", "services.patrol", "asyncapi", "--check"], ENVIRONMENT="production")
    assert done.returncode != 0
    assert (
        "AUTH_SECRET" in done.stderr and "CONTACT_SEAL_KEY" in done.stderr and "Traceback" not in done.stderr
    )


def test_a_service_starts_in_development_on_its_defaults_with_one_warning_line():
    done = run(["-m", "services.patrol", "asyncapi", "--check"])
    assert done.returncode == 0, done.stderr
    warnings = [line for line in (done.stdout + done.stderr).splitlines() if "development secrets" in line]
    assert len(warnings) == 1 and "AUTH_SECRET" in warnings[0]


def test_migrate_refuses_to_start_in_production_on_default_passwords_before_touching_the_database():
    done = run(
        ["-m", "services", "migrate"],
        ENVIRONMENT="production",
        ADMIN_DATABASE_URL="postgresql://postgres:postgres@127.0.0.1:9/none",
    )
    assert done.returncode != 0
    assert "PATROL_DB_PASSWORD" in done.stderr and "ADMIN_DATABASE_URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_broker_definitions_refuse_example_passwords_in_production(tmp_path):
    passwords = {
        name: EXAMPLE[name]
        for name in ["RABBITMQ_ADMIN_PASSWORD", *[f"{s.upper()}_AMQP_PASSWORD" for s in SERVICE_NAMES]]
    }
    done = run(
        ["-m", "ops", "broker-definitions", "--out", str(tmp_path / "d.json")],
        ENVIRONMENT="production",
        RABBITMQ_ADMIN_USER="admin",
        **passwords,
    )
    assert done.returncode != 0 and "NOTIFY_AMQP_PASSWORD" in done.stderr
    assert not (tmp_path / "d.json").exists()
    assert OpsSettings(environment="production").environment == "production"
