-- The directory of recipients: people (watchers, training's people) and units, with how to reach them.
-- Filled from events and from the reference bundle; contact addresses never leave this schema.
CREATE TABLE recipients (
    recipient_id       text PRIMARY KEY,              -- a person id, or unit:<unit id>
    kind               text NOT NULL CHECK (kind IN ('watcher', 'person', 'unit')),
    display_name       text NOT NULL,
    preferred_language text NOT NULL DEFAULT 'zh-CN',
    quiet_start        time,                          -- district time; null: the deployment's default
    quiet_end          time,
    active             boolean NOT NULL DEFAULT true,
    as_of              timestamptz NOT NULL,          -- time of the event that last wrote the row
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contact_points (
    recipient_id text NOT NULL REFERENCES recipients ON DELETE CASCADE,
    channel      text NOT NULL,
    address      text NOT NULL,
    PRIMARY KEY (recipient_id, channel)               -- one address per channel: the first one given
);

CREATE TABLE reference_loads (
    bundle_name    text NOT NULL,
    bundle_version text NOT NULL,
    units          integer NOT NULL,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bundle_name, bundle_version)
);
