"""Wires the console: the pages it serves and the case events it passes on to them. The one place to look."""

from pathlib import Path

from services.console.api import ROUTERS
from services.console.context import ConsoleSettings, build_context
from services.console.handlers.create_account import create_account_command
from services.console.subscriptions import PUBLISHES, SUBSCRIPTIONS
from shared.runtime import ServiceDefinition

DESCRIPTION = "The web front end: watchers report from their phones, dispatchers watch the live board and map, units work their inbox, community workers import watchers; every call goes to the four APIs with the person's own token."


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="console",
        description=DESCRIPTION,
        directory=Path(__file__).parent,
        http_port=8005,
        subscriptions=SUBSCRIPTIONS,
        publishes=PUBLISHES,
        routers=ROUTERS,
        settings_class=ConsoleSettings,
        context_factory=build_context,
        commands={"create-account": create_account_command},
    )
