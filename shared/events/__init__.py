"""Events: the CloudEvents envelope and the catalogue of payload models."""

from shared.events.envelope import Envelope, Event, PoisonMessage, new_envelope, parse_event
from shared.events.registry import EventData, all_event_models, event, model_for

__all__ = [
    "Envelope",
    "Event",
    "EventData",
    "PoisonMessage",
    "all_event_models",
    "event",
    "model_for",
    "new_envelope",
    "parse_event",
]
