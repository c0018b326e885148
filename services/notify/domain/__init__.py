"""The notify service's domain: plain data and rules, no I/O."""
