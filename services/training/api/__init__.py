"""The training service's HTTP routers (thin: request in, handler call, response out)."""

from fastapi import APIRouter

from services.training.api import (
    assistance,
    competitions,
    organisations,
    people,
    programmes,
    reserve,
    sessions,
    statistics,
)

ROUTERS: list[APIRouter] = [
    organisations.router,
    people.router,
    programmes.router,
    sessions.router,
    reserve.router,
    assistance.router,
    competitions.router,
    statistics.router,
]
