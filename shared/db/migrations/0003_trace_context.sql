-- The W3C trace context of the moment an event was emitted (the CloudEvents distributed-tracing extension),
-- kept with the event so the relay publishes it and the consumer continues the trace. Null when none was known.
ALTER TABLE outbox ADD COLUMN traceparent text, ADD COLUMN tracestate text;
