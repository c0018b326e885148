"""The library every grassroots service imports: events, messaging, storage, auth and the service runtime."""
