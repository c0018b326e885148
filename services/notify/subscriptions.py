"""The events the notify service consumes (each with its handler) and the events it publishes.

Directory events keep the recipients; every other consumed event goes through the rules (table `rules`), so
which event tells whom is data. A rule can only name an event type listed in RULE_EVENTS (it needs a queue).
"""

from services.notify.handlers.directory import (
    on_person_registered,
    on_person_updated,
    on_watcher_deactivated,
    on_watcher_registered,
    on_watcher_updated,
)
from services.notify.handlers.notify import handle_event
from shared.events.catalogue.dispatch import (
    DispatchAssigned,
    DispatchCancelled,
    DispatchEscalated,
    DispatchReassigned,
    DispatchReturned,
)
from shared.events.catalogue.hazard import HazardMerged
from shared.events.catalogue.issue import IssueReopened, IssueResolved
from shared.events.catalogue.notification import NotificationFailed, NotificationSent
from shared.events.catalogue.patrol import PatrolShiftCancelled, PatrolShiftScheduled
from shared.events.catalogue.training import (
    PersonRegistered,
    PersonUpdated,
    ReserveCandidateAppointed,
    TrainingEnrolmentConfirmed,
    TrainingEnrolmentWithdrawn,
    TrainingSessionCancelled,
)
from shared.events.catalogue.watcher import WatcherDeactivated, WatcherRegistered, WatcherUpdated
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

RULE_EVENTS: list[type[EventData]] = [
    DispatchAssigned,
    DispatchEscalated,
    DispatchReturned,
    DispatchReassigned,
    DispatchCancelled,
    HazardMerged,
    IssueResolved,
    IssueReopened,
    PatrolShiftScheduled,
    PatrolShiftCancelled,
    TrainingEnrolmentConfirmed,
    TrainingEnrolmentWithdrawn,
    TrainingSessionCancelled,
    ReserveCandidateAppointed,
]
RULE_EVENT_TYPES: list[str] = [model.event_type for model in RULE_EVENTS]

SUBSCRIPTIONS: list[Subscription] = [
    Subscription(WatcherRegistered, on_watcher_registered),
    Subscription(WatcherUpdated, on_watcher_updated),
    Subscription(WatcherDeactivated, on_watcher_deactivated),
    Subscription(PersonRegistered, on_person_registered),
    Subscription(PersonUpdated, on_person_updated),
    # The busiest: assignments that queue up share a transaction; one batch at a time per unit.
    Subscription(DispatchAssigned, handle_event, batch_key=lambda assigned: assigned.unit_id),
    *(Subscription(model, handle_event) for model in RULE_EVENTS if model is not DispatchAssigned),
]
PUBLISHES: list[type[EventData]] = [NotificationSent, NotificationFailed]
