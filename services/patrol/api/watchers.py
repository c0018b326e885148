"""The patrol service's watchers endpoints."""

from fastapi import APIRouter

router = APIRouter()
