"""Adapters to the world outside the service: the photo store."""
