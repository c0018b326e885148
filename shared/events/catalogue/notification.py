"""Events of the notify service: what was delivered, and what could not be."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from shared.events.registry import EventData, event


@event("notification.sent", version=1, subject="notification_id")
class NotificationSent(EventData):
    """A message reached its channel (the channel accepted it)."""

    notification_id: UUID = Field(description="The delivery's id in notify (also sent to webhook receivers).")
    recipient_id: str = Field(
        description="A person id, or `unit:<unit id>` for a unit's contacts.", examples=["w-0001"]
    )
    channel: str = Field(examples=["wecom"])
    cause_event_id: UUID = Field(description="The event the message is about.")
    cause_event_type: str = Field(examples=["dispatch.assigned"])
    purpose: str = Field(
        "notice",
        description="`notice`, `reminder:<spec>` (e.g. `reminder:-1d@20:00`) or `resend:<n>`.",
        examples=["notice"],
    )
    attempts: int = Field(ge=1, description="Attempts it took, this one included.")
    sent_at: datetime


@event("notification.failed", version=1, subject="notification_id")
class NotificationFailed(EventData):
    """A message could not be delivered: permanently, or after every retry."""

    notification_id: UUID = Field(description="The delivery's id in notify.")
    recipient_id: str = Field(description="A person id, or `unit:<unit id>` for a unit's contacts.")
    channel: str = Field(examples=["webhook"])
    cause_event_id: UUID = Field(description="The event the message was about.")
    cause_event_type: str
    purpose: str = Field("notice", description="`notice`, `reminder:<spec>` or `resend:<n>`.")
    attempts: int = Field(ge=1, description="Attempts made before giving up.")
    reason: str = Field(
        max_length=1000,
        description="`permanent: ...` (the channel refused), `transient: ...` (retries exhausted) or "
        "`unreachable: ...` (no channel could reach the recipient; nothing was sent).",
        examples=["permanent: HTTP 400: bad request"],
    )
    failed_at: datetime
    unreachable: bool = Field(
        False,
        description="True when nothing was sent because no channel of the rule could reach the recipient (no "
        "address on one, or only on channels not configured, or never in the directory): `channel` is then "
        "`none`, `attempts` 1, and `notification_id` names this outcome rather than a delivery.",
    )
