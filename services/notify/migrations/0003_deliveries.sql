-- Deliveries: one message to one recipient on one channel, for one purpose (the notice itself, a reminder, a
-- resend). Created by event handlers in the inbox transaction; sent by the delivery worker.
CREATE TABLE deliveries (
    delivery_id      uuid PRIMARY KEY,
    cause_event_id   uuid NOT NULL,
    cause_event_type text NOT NULL,
    correlation_id   uuid NOT NULL,
    recipient_id     text NOT NULL,
    channel          text NOT NULL,
    purpose          text NOT NULL,                   -- notice | reminder:<spec> | resend:<n>
    rule_id          text,
    template         text NOT NULL,
    language         text NOT NULL,
    body             text NOT NULL,                   -- the rendered text, as sent
    urgent           boolean NOT NULL DEFAULT false,
    reminder_key     text,                            -- what a reminder reminds of (shift:..., session:...)
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'in_flight', 'sent', 'failed', 'cancelled')),
    due_at           timestamptz NOT NULL,            -- when it may first be sent
    next_attempt_at  timestamptz NOT NULL,            -- when the worker may take it next
    lease_until      timestamptz,                     -- while in flight: when another worker may take over
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    created_at       timestamptz NOT NULL,
    finished_at      timestamptz,                     -- sent, failed or cancelled
    UNIQUE (cause_event_id, recipient_id, channel, purpose)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'in_flight');
CREATE INDEX deliveries_by_recipient ON deliveries (recipient_id, created_at DESC);
CREATE INDEX deliveries_by_reminder_key ON deliveries (reminder_key) WHERE reminder_key IS NOT NULL;

CREATE TABLE delivery_attempts (
    delivery_id uuid NOT NULL REFERENCES deliveries ON DELETE CASCADE,
    attempt     integer NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text CHECK (outcome IN ('success', 'transient', 'permanent', 'lease_expired')),
    detail      text,
    PRIMARY KEY (delivery_id, attempt)
);

-- A cancellation seen before (or after) the event that schedules the reminders: reminders of that key for those
-- recipients (or for everyone, recipient_id '*') scheduled by an older event are not created.
CREATE TABLE reminder_cancellations (
    reminder_key   text NOT NULL,
    recipient_id   text NOT NULL,                     -- '*' for everyone
    cancelled_at   timestamptz NOT NULL,
    cause_event_id uuid NOT NULL,
    PRIMARY KEY (reminder_key, recipient_id, cause_event_id)
);

-- Per-channel rate limit: messages sent per window.
CREATE TABLE channel_windows (
    channel      text NOT NULL,
    window_start timestamptz NOT NULL,
    sent         integer NOT NULL,
    PRIMARY KEY (channel, window_start)
);
