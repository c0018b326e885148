"""The patrol service's reports endpoints."""

from fastapi import APIRouter

router = APIRouter()
