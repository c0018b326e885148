"""The HTTP edge every service's app shares: what a request may hold before it reaches a route and the database."""
