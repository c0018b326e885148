"""The events the dispatch service consumes (each with its handler) and the events it publishes."""

from shared.events.registry import EventData
from shared.messaging.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
PUBLISHES: list[type[EventData]] = []
