"""The dispatch service's HTTP routers (thin: request in, handler call, response out)."""

from fastapi import APIRouter

from services.dispatch.api import admin, cases, stats, units

ROUTERS: list[APIRouter] = [cases.router, units.router, stats.router, admin.router]
