"""Settings read from environment variables, with defaults that work against a local RabbitMQ and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.logging import get_logger
from shared.messaging.connection import broker_urls

DEVELOPMENT_SEAL_KEY = "grassroots-development-contact-seal-key-change-me"
DEFAULT_BUNDLE = Path(__file__).resolve().parent.parent / "deploy" / "reference" / "dadong-sample"
LOCAL_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_ADMIN_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5432/grassroots"
Environment = Literal["development", "production"]


class MessagingSettings(BaseSettings):
    """How a process reaches RabbitMQ and which names it uses there."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    rabbitmq_url: str = Field(
        LOCAL_RABBITMQ_URL,
        description="AMQP URL of the broker; the nodes of a cluster as several URLs separated by commas.",
    )
    rabbitmq_urls: str = Field(
        "",
        description="The nodes of a RabbitMQ cluster, comma-separated AMQP URLs (used instead of RABBITMQ_URL).",
    )
    amqp_namespace: str = Field(
        "",
        description="Prefix for every exchange and queue name; tests use it to keep runs apart.",
    )
    amqp_exchanges_predeclared: bool = Field(
        False,
        description="The exchanges come from the broker's definitions file; a service only checks they exist "
        "(its user may not configure them).",
    )
    prefetch: int = Field(32, ge=1, description="Unacknowledged messages a consumer may hold at once.")
    delivery_limit: int = Field(
        5, ge=2, description="Deliveries of one message before it is dead-lettered (quorum x-delivery-limit)."
    )
    retry_backoff_seconds: float = Field(
        0.5, gt=0, description="First back-off before a failed message is handed back; doubles each attempt."
    )
    retry_backoff_max_seconds: float = Field(15.0, gt=0)
    batch_size: int = Field(
        16,
        ge=1,
        description="Events of one queue that may share a transaction when they queue up (1: one each).",
    )
    batch_concurrency: int = Field(
        4, ge=1, description="Transactions one batched queue may have open at once."
    )

    @property
    def broker(self) -> str:
        """Every broker address given, comma-separated (`shared/messaging/connection.py` connects to a live one)."""
        return self.rabbitmq_urls or self.rabbitmq_url


class ServiceSettings(MessagingSettings):
    """Everything one service process reads from its environment."""

    service_name: str = Field(description="patrol, dispatch, notify or training; set by the service itself.")
    environment: Environment = Field(
        "development",
        description="`production` refuses to start with a default or example secret (compose sets it).",
    )
    database_url: str = Field(
        "",
        description="The service's own role on the shared database; defaults to a local role named after it.",
    )
    database_pool_min: int = 2
    database_pool_max: int = 10
    listen_database_url: str = Field(
        "",
        description="Where the connections that LISTEN (the outbox relay, notify's worker) go: a direct or "
        "session-pooled connection when DATABASE_URL is a PgBouncer in transaction mode; defaults to DATABASE_URL.",
    )
    database_statement_cache_size: int = Field(
        100,
        ge=0,
        description="Prepared statements asyncpg keeps per connection; 0 behind PgBouncer's transaction mode, "
        "where a statement prepared on one server connection is unknown to the next.",
    )
    http_host: str = "0.0.0.0"
    http_port: int = 8000
    max_request_bytes: int = Field(
        80 * 1024 * 1024,
        ge=1024,
        description="Largest request body the HTTP API reads (413 above it); patrol's reports carry up to 9 photos.",
    )
    auth_secret: str = Field(
        "grassroots-development-secret-change-me",
        min_length=32,
        description="HMAC secret that signs bearer tokens (HS256). Set a long random value in production.",
    )
    log_format: str = Field("auto", pattern="^(auto|json|console)$")
    log_level: str = "INFO"
    otel_exporter_otlp_endpoint: str = Field(
        "",
        description="Base URL of an OpenTelemetry collector (OTLP over HTTP, e.g. http://collector:4318): spans of "
        "requests, events, publishes and transactions go there. Empty: tracing is off.",
    )
    metrics_refresh_seconds: float = Field(
        5.0,
        ge=0,
        description="/metrics reads the database-backed gauges (outbox backlog, open cases) at most this often.",
    )
    outbox_poll_seconds: float = Field(
        1.0, gt=0, description="How often the relay looks at the outbox when no notification came."
    )
    outbox_batch_size: int = Field(200, ge=1)
    idle_transaction_timeout_seconds: float = Field(
        30.0, ge=0, description="The server ends a session idle this long inside a transaction (0: never)."
    )
    retention_days: float = Field(
        7.0, gt=0, description="Published outbox rows and inbox rows older than this are deleted."
    )
    contact_seal_key: str = Field(
        DEVELOPMENT_SEAL_KEY,
        min_length=32,
        description="Seals contact details in events for notify (shared/contacts.py). Set it in production.",
    )
    reference_bundle: Path = Field(DEFAULT_BUNDLE, description="Folder of the reference bundle to load.")
    seals_contacts: ClassVar[bool] = (
        True  # a service that never seals nor opens contacts is not given the key
    )

    def model_post_init(self, __context: object) -> None:
        if not self.database_url:
            name = self.service_name
            self.database_url = f"postgresql://{name}:{name}@127.0.0.1:5432/grassroots"
        if not self.listen_database_url:
            self.listen_database_url = self.database_url

    def secrets(self) -> dict[str, str | None]:
        """Every secret this service reads, by variable; a service with more adds its own."""
        secrets = {
            "AUTH_SECRET": self.auth_secret,
            "DATABASE_URL": url_password(self.database_url),
            "RABBITMQ_URL": url_password(broker_urls(self.broker)[0]),
        }
        if self.seals_contacts:
            secrets["CONTACT_SEAL_KEY"] = self.contact_seal_key
        return secrets

    def check_secrets(self) -> list[str]:
        """Refuse (in production) or list (in development) the secrets that are defaults; see `weak_secrets`."""
        return enforce_secrets(
            self.environment,
            weak_secrets(self.secrets(), names=(self.service_name,), defaults=_defaults(self)),
        )


# No default secret runs in production. A secret is refused when it is one of the code's defaults, a value of
# `.env.example` (whose values are listed here, since the image does not carry that file; a test keeps the two
# alike), a password equal to the name of its service, or shorter than 32 characters. Credentials that a
# provider issues (SMTP, SMS, robots) keep their own length and are only checked against the examples.
MIN_SECRET_LENGTH = 32
EXAMPLE_SECRETS = frozenset(
    {
        "change-me-postgres",
        "change-me-patrol-db",
        "change-me-dispatch-db",
        "change-me-notify-db",
        "change-me-training-db",
        "change-me-console-db",
        "change-me-monitoring-db",
        "change-me-grafana-admin",
        "change-me-rabbitmq-admin",
        "change-me-patrol-amqp",
        "change-me-dispatch-amqp",
        "change-me-notify-amqp",
        "change-me-training-amqp",
        "change-me-console-amqp",
        "change-me-rabbitmq-cluster-secret",
        "change-me-to-a-long-random-secret-of-64-hex-chars",
        "change-me-to-another-long-random-secret-64-hex",
        "change-me-to-a-third-long-random-secret-64-hex",
    }
)
LOCAL_PASSWORDS = frozenset({"guest", "postgres"})  # the local broker's and database's own
PROVIDER_ISSUED = frozenset({"SMTP_PASSWORD", "SMS_GATEWAY_TOKEN", "DINGTALK_ROBOT_SECRET"})


class DefaultSecretRefused(SystemExit):
    """A production process was given a secret anyone can know: it stops, with a message naming each variable."""


def url_password(url: str) -> str | None:
    return urlsplit(url).password if url else None


def weak_secrets(
    secrets: Mapping[str, str | None], *, names: Iterable[str] = (), defaults: Iterable[str] = ()
) -> list[str]:
    """'VARIABLE: why' for each secret that must not run in production; unset optional ones are skipped."""
    known = EXAMPLE_SECRETS | LOCAL_PASSWORDS | {value for value in defaults if value}
    names = {name.lower() for name in names}
    problems = []
    for variable, value in secrets.items():
        if value is None:
            continue
        if value in known or "change-me" in value.lower():
            problems.append(f"{variable}: a default or example value")
        elif value.lower() in names:
            problems.append(f"{variable}: the password is the service's name")
        elif variable not in PROVIDER_ISSUED and len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{variable}: shorter than {MIN_SECRET_LENGTH} characters")
    return problems


def enforce_secrets(environment: Environment, problems: list[str]) -> list[str]:
    """In production, raise naming every weak secret; in development, say so in one warning line."""
    if not problems:
        return problems
    if environment == "production":
        raise DefaultSecretRefused("refusing to start in production with " + "; ".join(problems))
    get_logger("shared.settings").warning(
        "development secrets in use; ENVIRONMENT=production refuses them", secrets=problems
    )
    return problems


def _defaults(settings: BaseSettings) -> list[str]:
    return [field.default for field in type(settings).model_fields.values() if isinstance(field.default, str)]
