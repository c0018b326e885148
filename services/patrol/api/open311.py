"""The patrol service's open311 endpoints."""

from fastapi import APIRouter

router = APIRouter()
