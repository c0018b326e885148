"""The events the patrol service consumes (each with its handler) and the events it publishes."""

from shared.events.catalogue.hazard import HazardReported, HazardWithdrawn
from shared.events.catalogue.patrol import (
    PatrolEnded,
    PatrolShiftCancelled,
    PatrolShiftScheduled,
    PatrolStarted,
)
from shared.events.catalogue.watcher import WatcherDeactivated, WatcherRegistered, WatcherUpdated
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
PUBLISHES: list[type[EventData]] = [
    HazardReported,
    HazardWithdrawn,
    WatcherRegistered,
    WatcherUpdated,
    WatcherDeactivated,
    PatrolShiftScheduled,
    PatrolShiftCancelled,
    PatrolStarted,
    PatrolEnded,
]
