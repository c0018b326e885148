"""The patrol service's handlers: plain async functions over a unit of work."""
