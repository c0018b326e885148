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
from shared.events.catalogue.visit import HouseholdVisited
from shared.events.catalogue.watcher import WatcherDeactivated, WatcherRegistered, WatcherUpdated
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription


def by_case(data: EventData) -> str:
    return str(data.case_id)  # type: ignore[attr-defined]


# The reporter's status projection (handlers/status.py): what dispatch says happened to each report's case.
# Its handlers only insert rows keyed by case, so events that queue up may share a transaction.
SUBSCRIPTIONS: list[Subscription] = [
    Subscription(DispatchAssigned, status.on_assigned, batch_key=by_case),
    Subscription(DispatchAccepted, status.on_accepted, batch_key=by_case),
    Subscription(DispatchEscalated, status.on_escalated, batch_key=by_case),
    Subscription(DispatchReturned, status.on_returned, batch_key=by_case),
    Subscription(DispatchReassigned, status.on_reassigned, batch_key=by_case),
    Subscription(DispatchCancelled, status.on_cancelled, batch_key=by_case),
    Subscription(IssueResolved, status.on_resolved, batch_key=by_case),
    Subscription(IssueReopened, status.on_reopened, batch_key=by_case),
    Subscription(IssueClosed, status.on_closed, batch_key=by_case),
    Subscription(HazardMerged, status.on_merged, batch_key=by_case),
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
    HouseholdVisited,
]
