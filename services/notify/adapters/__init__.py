"""The notify service's adapters: channels that reach people, and the template renderer."""
