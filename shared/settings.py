"""Settings read from environment variables, with defaults that work against a local RabbitMQ and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SEAL_KEY = "grassroots-development-contact-seal-key-change-me"
DEFAULT_BUNDLE = Path(__file__).resolve().parent.parent / "deploy" / "reference" / "dadong-sample"
LOCAL_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_ADMIN_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:5432/grassroots"


class MessagingSettings(BaseSettings):
    """How a process reaches RabbitMQ and which names it uses there."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    rabbitmq_url: str = Field(LOCAL_RABBITMQ_URL, description="AMQP URL of the broker.")
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


class ServiceSettings(MessagingSettings):
    """Everything one service process reads from its environment."""

    service_name: str = Field(description="patrol, dispatch, notify or training; set by the service itself.")
    database_url: str = Field(
        "",
        description="The service's own role on the shared database; defaults to a local role named after it.",
    )
    database_pool_min: int = 2
    database_pool_max: int = 10
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

    def model_post_init(self, __context: object) -> None:
        if not self.database_url:
            name = self.service_name
            self.database_url = f"postgresql://{name}:{name}@127.0.0.1:5432/grassroots"
