"""The events the console consumes (to refresh open pages) and the events it publishes (none)."""

from services.console.handlers.case_events import pass_on
from shared.events.catalogue.dispatch import (
    DispatchAccepted,
    DispatchAssigned,
    DispatchCancelled,
    DispatchEscalated,
    DispatchReassigned,
    DispatchReturned,
)
from shared.events.catalogue.issue import IssueClosed, IssueReopened, IssueResolved
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [
    Subscription(event, pass_on)
    for event in (
        DispatchAssigned,
        DispatchAccepted,
        DispatchReturned,
        DispatchReassigned,
        DispatchEscalated,
        DispatchCancelled,
        IssueResolved,
        IssueReopened,
        IssueClosed,
    )
]
PUBLISHES: list[type[EventData]] = []
