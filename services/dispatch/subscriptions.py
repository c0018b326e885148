"""The events the dispatch service consumes (each with its handler) and the events it publishes."""

from services.dispatch.handlers.intake import handle_hazard_reported, handle_hazard_withdrawn
from services.dispatch.handlers.unreachable import handle_notification_failed
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
from shared.events.catalogue.notification import NotificationFailed
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [
    # Reports that queue up share a transaction; one batch at a time per category (the lock intake takes first).
    Subscription(HazardReported, handle_hazard_reported, batch_key=lambda report: report.category),
    Subscription(HazardWithdrawn, handle_hazard_withdrawn),
    # A notice that could not reach a unit goes on its case's timeline (and escalates an urgent or high case).
    Subscription(NotificationFailed, handle_notification_failed),
]
PUBLISHES: list[type[EventData]] = [
    DispatchAssigned,
    DispatchAccepted,
    DispatchReturned,
    DispatchReassigned,
    DispatchEscalated,
    DispatchCancelled,
    HazardMerged,
    IssueResolved,
    IssueClosed,
    IssueReopened,
]
