"""Wires the notify service: what it consumes, what it publishes, what it serves. The one place to look."""

from pathlib import Path

from services.notify.api import ROUTERS
from services.notify.context import NotifySettings, build_context
from services.notify.handlers.background import deliver
from services.notify.handlers.unreachable import channels_ready
from services.notify.subscriptions import PUBLISHES, SUBSCRIPTIONS
from shared.runtime import ServiceDefinition

DESCRIPTION = "Tells the right person, on the right channel, exactly once: units of new cases, street offices of overdue ones, reporters of fixes, watchers of shifts, trainees of sessions."


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="notify",
        description=DESCRIPTION,
        directory=Path(__file__).parent,
        http_port=8003,
        subscriptions=SUBSCRIPTIONS,
        publishes=PUBLISHES,
        routers=ROUTERS,
        settings_class=NotifySettings,
        context_factory=build_context,
        background=[deliver],
        readiness=channels_ready,
    )
