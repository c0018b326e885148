"""The notify service's handlers: plain async functions over a unit of work."""
