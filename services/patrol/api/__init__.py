"""The patrol service's HTTP routers (thin: request in, handler call, response out)."""

from fastapi import APIRouter

from services.patrol.api import (
    open311,
    open311_keys,
    patrols,
    reports,
    reports_reference,
    shifts,
    visits,
    watchers,
)

ROUTERS: list[APIRouter] = [
    watchers.router,
    shifts.router,
    patrols.router,
    reports.router,
    reports_reference.router,
    open311.router,
    open311_keys.router,
    visits.router,
]
