"""Wires the patrol service: what it consumes, what it publishes, what it serves. The one place to look."""

from pathlib import Path

from services.patrol.api import ROUTERS
from services.patrol.context import PatrolSettings, build_context
from services.patrol.handlers.reference import load_reference_command
from services.patrol.subscriptions import PUBLISHES, SUBSCRIPTIONS
from shared.runtime import ServiceDefinition

DESCRIPTION = "Safety watchers (平安守望员), duty shifts and patrols, snap-and-report hazard reports with photos, residents' needs from door-knocking visits, and an Open311 GeoReport v2 API."


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="patrol",
        description=DESCRIPTION,
        directory=Path(__file__).parent,
        http_port=8001,
        subscriptions=SUBSCRIPTIONS,
        publishes=PUBLISHES,
        routers=ROUTERS,
        settings_class=PatrolSettings,
        context_factory=build_context,
        commands={"load-reference": load_reference_command},
    )
