"""What an operator sees of a running service: its metrics (`/metrics`) and one access line per request."""
