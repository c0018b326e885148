"""Wires the dispatch service: what it consumes, what it publishes, what it serves. The one place to look."""

from pathlib import Path

from services.dispatch.api import ROUTERS
from services.dispatch.context import DispatchSettings, build_context
from services.dispatch.handlers.gauges import open_cases_by_street
from services.dispatch.handlers.reference import load_reference_command
from services.dispatch.handlers.startup import load_reference_at_start
from services.dispatch.handlers.sweeper import sweep_forever
from services.dispatch.subscriptions import PUBLISHES, SUBSCRIPTIONS
from shared.runtime import ServiceDefinition

DESCRIPTION = "Every report becomes a case routed to the responsible unit, with a deadline, escalation when overdue, duplicate merging, and a lifecycle to verified closure."


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="dispatch",
        description=DESCRIPTION,
        directory=Path(__file__).parent,
        http_port=8002,
        subscriptions=SUBSCRIPTIONS,
        publishes=PUBLISHES,
        routers=ROUTERS,
        settings_class=DispatchSettings,
        context_factory=build_context,
        commands={"load-reference": load_reference_command},
        background=[load_reference_at_start, sweep_forever],
        metrics_probes=[open_cases_by_street],
    )
