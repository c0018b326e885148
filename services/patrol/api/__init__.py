"""The patrol service's HTTP routers (thin: request in, handler call, response out)."""

from fastapi import APIRouter

from services.patrol.api import open311, patrols, reports, watchers

ROUTERS: list[APIRouter] = [watchers.router, patrols.router, reports.router, open311.router]
