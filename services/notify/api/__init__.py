"""The notify service's HTTP routers."""

from services.notify.api.notifications import router as notifications
from services.notify.api.people import router as people
from services.notify.api.rules import router as rules

ROUTERS = [notifications, people, rules]
