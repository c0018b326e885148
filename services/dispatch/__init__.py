"""The dispatch service. Every report becomes a case routed to the responsible unit, with a deadline, escalation when overdue, duplicate merging, and a lifecycle to verified closure."""
