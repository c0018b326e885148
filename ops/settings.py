"""What the tools connect to: the broker and, for outbox and trace, the database as an administrator."""

from __future__ import annotations

from shared.settings import LOCAL_ADMIN_DATABASE_URL, MessagingSettings


class OpsSettings(MessagingSettings):
    admin_database_url: str = LOCAL_ADMIN_DATABASE_URL
