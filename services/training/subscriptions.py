"""The events the training service consumes (each with its handler) and the events it publishes."""

from services.training.handlers.practice import credit_practice_case
from shared.events.catalogue.issue import IssueResolved
from shared.events.catalogue.training import (
    CompetitionResultsPublished,
    PersonRegistered,
    PersonUpdated,
    ReserveCandidateAppointed,
    TrainingAttendanceRecorded,
    TrainingEnrolmentConfirmed,
    TrainingEnrolmentWithdrawn,
    TrainingSessionCancelled,
    TrainingSessionScheduled,
)
from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [Subscription(IssueResolved, credit_practice_case)]
PUBLISHES: list[type[EventData]] = [
    PersonRegistered,
    PersonUpdated,
    TrainingSessionScheduled,
    TrainingEnrolmentConfirmed,
    TrainingEnrolmentWithdrawn,
    TrainingSessionCancelled,
    TrainingAttendanceRecorded,
    ReserveCandidateAppointed,
    CompetitionResultsPublished,
]
