"""The console: the web front end for watchers, dispatchers, unit handlers, community workers and admins."""
