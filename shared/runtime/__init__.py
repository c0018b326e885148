"""The service runtime: one process runs a service's consumers, its outbox relay and its HTTP API."""

from shared.runtime.definition import ServiceDefinition

__all__ = ["ServiceDefinition"]
