"""The patrol service's HTTP routers (thin: request in, handler call, response out)."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
