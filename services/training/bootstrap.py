"""Wires the training service: what it consumes, what it publishes, what it serves. The one place to look."""

from pathlib import Path

from services.training.api import ROUTERS
from services.training.context import TrainingSettings, build_context
from services.training.handlers.commands import load_reference_command, load_sample_command
from services.training.subscriptions import PUBLISHES, SUBSCRIPTIONS
from shared.runtime import ServiceDefinition

DESCRIPTION = "The lead geese (community secretaries), the reserve pool of two per community, mentors, salons, lectures, workshops, and the Social Worker Cup."


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="training",
        description=DESCRIPTION,
        directory=Path(__file__).parent,
        http_port=8004,
        subscriptions=SUBSCRIPTIONS,
        publishes=PUBLISHES,
        routers=ROUTERS,
        settings_class=TrainingSettings,
        context_factory=build_context,
        commands={"load-reference": load_reference_command, "load-sample": load_sample_command},
    )
