-- Events that named a recipient the directory did not know yet (a shift consumed before the watcher's
-- registration): kept for a while, and planned when the recipient arrives.
CREATE TABLE awaiting_recipients (
    recipient_id   text NOT NULL,
    rule_id        text NOT NULL,
    event_id       uuid NOT NULL,
    event_source   text NOT NULL,
    event_type     text NOT NULL,
    event_version  integer NOT NULL,
    event_time     timestamptz NOT NULL,
    correlation_id uuid NOT NULL,
    data           jsonb NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (recipient_id, rule_id, event_id)
);
CREATE INDEX awaiting_recipients_by_age ON awaiting_recipients (created_at);
