"""The notify service. Tells the right person, on the right channel, exactly once: units of new cases, street offices of overdue ones, reporters of fixes, watchers of shifts, trainees of sessions."""
