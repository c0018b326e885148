"""Events of the notify service: what was delivered, and what could not be."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from shared.events.registry import EventData, event


@event("notification.sent", version=1, subject="notification_id")
class NotificationSent(EventData):
    """A message reached its channel (the channel accepted it)."""

    notification_id: UUID
    recipient_id: str
    channel: str = Field(examples=["wecom"])
    cause_event_id: UUID
    cause_event_type: str
    attempts: int = Field(ge=1)
    sent_at: datetime


@event("notification.failed", version=1, subject="notification_id")
class NotificationFailed(EventData):
    """A message could not be delivered: permanently, or after every retry."""

    notification_id: UUID
    recipient_id: str
    channel: str
    cause_event_id: UUID
    cause_event_type: str
    attempts: int = Field(ge=1)
    reason: str = Field(max_length=1000)
    failed_at: datetime
