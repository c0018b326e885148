"""The patrol service's patrols endpoints."""

from fastapi import APIRouter

router = APIRouter()
