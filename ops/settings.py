"""What the tools connect to: the broker and, for outbox and trace, the database as an administrator."""

from __future__ import annotations

from shared.settings import LOCAL_ADMIN_DATABASE_URL, Environment, MessagingSettings


class OpsSettings(MessagingSettings):
    environment: Environment = "development"  # production: broker-definitions refuses example passwords
    admin_database_url: str = LOCAL_ADMIN_DATABASE_URL
    patrol_url: str = "http://127.0.0.1:8001"
    dispatch_url: str = "http://127.0.0.1:8002"
    notify_url: str = "http://127.0.0.1:8003"
    training_url: str = "http://127.0.0.1:8004"
    console_url: str = "http://127.0.0.1:8005"
