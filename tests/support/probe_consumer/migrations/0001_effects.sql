-- A test service's own state: one row per effect of a handled event, so tests can count effects.
CREATE TABLE effects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    uuid NOT NULL,
    report_id   uuid NOT NULL,
    description text NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now()
);
