"""Events of the patrol service's safety watchers (平安守望员)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.registry import EventData, event

SEALED_CONTACTS = (
    "The person's contact points, sealed for notify (see shared/contacts.py); opaque to every other reader."
)


@event("watcher.registered", version=1, subject="watcher_id")
class WatcherRegistered(EventData):
    """A volunteer safety watcher joined; notify learns how to reach them."""

    watcher_id: str = Field(examples=["w-0001"])
    display_name: str = Field(max_length=100, examples=["老马"])
    community_code: str = Field(examples=["WG-TJ"])
    street_code: str = Field(examples=["WG"])
    preferred_language: str = Field("zh-CN", examples=["zh-CN"])
    sealed_contacts: str | None = Field(None, description=SEALED_CONTACTS)
    registered_at: datetime


@event("watcher.updated", version=1, subject="watcher_id")
class WatcherUpdated(EventData):
    """A watcher's details changed; the event carries the whole current state, not only the change."""

    watcher_id: str
    display_name: str = Field(max_length=100)
    community_code: str
    street_code: str
    preferred_language: str = "zh-CN"
    sealed_contacts: str | None = Field(None, description=SEALED_CONTACTS)
    changed_fields: list[str] = Field(default_factory=list, examples=[["community_code"]])
    updated_at: datetime


@event("watcher.deactivated", version=1, subject="watcher_id")
class WatcherDeactivated(EventData):
    """A watcher stopped serving; no more shifts or messages for them."""

    watcher_id: str
    reason: str = Field(max_length=500, examples=["搬离社区"])
    deactivated_at: datetime
