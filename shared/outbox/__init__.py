"""The transactional outbox: events are written with the state change and published after commit."""
