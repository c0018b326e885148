-- The event backbone every service carries in its own schema.

-- Events waiting to be published. A state change and its events commit in one transaction.
-- transaction_id lets the relay publish in commit order: it only takes rows of transactions older than
-- every transaction still running, so no earlier row can appear after a later one was published.
CREATE TABLE outbox (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid NOT NULL UNIQUE,
    source          text NOT NULL,
    event_type      text NOT NULL,
    version         integer NOT NULL,
    subject         text,
    occurred_at     timestamptz NOT NULL,
    correlation_id  uuid NOT NULL,
    causation_id    uuid,
    data            jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    unroutable      boolean NOT NULL DEFAULT false,
    publish_attempts integer NOT NULL DEFAULT 0,
    last_error      text
);

CREATE INDEX outbox_pending ON outbox (transaction_id, position) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX outbox_correlation ON outbox (correlation_id);

-- Wake the relay at commit instead of making it poll.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Events already handled. A handler's effects and this row commit together, so a redelivery changes nothing.
CREATE TABLE inbox (
    source          text NOT NULL,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    correlation_id  uuid NOT NULL,
    handled_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);

CREATE INDEX inbox_handled_at ON inbox (handled_at);
