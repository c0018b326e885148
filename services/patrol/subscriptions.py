"""The events the patrol service consumes (each with its handler) and the events it publishes."""

from services.patrol.handlers import status
from shared.events.catalogue.dispatch import (
    DispatchAccepted,
    DispatchAssigned,
    DispatchCancelled,
    DispatchEscalated,
    DispatchReassigned,
    DispatchReturned,
)
from shared.events.catalogue.hazard import HazardMerged, HazardReported, HazardWithdrawn
from shared.events.catalogue.issue import IssueClosed, IssueReopened, IssueResolved
from shared.events.catalogue.patrol import (
    PatrolEnded,
    PatrolShiftCancelled,
    PatrolShiftScheduled,
    PatrolStarted,
)
from shared.events.catalogue.watcher import WatcherDeactivated, WatcherRegistered, WatcherUpdated
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

# The reporter's status projection (handlers/status.py): what dispatch says happened to each report's case.
SUBSCRIPTIONS: list[Subscription] = [
    Subscription(DispatchAssigned, status.on_assigned),
    Subscription(DispatchAccepted, status.on_accepted),
    Subscription(DispatchEscalated, status.on_escalated),
    Subscription(DispatchReturned, status.on_returned),
    Subscription(DispatchReassigned, status.on_reassigned),
    Subscription(DispatchCancelled, status.on_cancelled),
    Subscription(IssueResolved, status.on_resolved),
    Subscription(IssueReopened, status.on_reopened),
    Subscription(IssueClosed, status.on_closed),
    Subscription(HazardMerged, status.on_merged),
]
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
