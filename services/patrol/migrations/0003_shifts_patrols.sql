-- Duty shifts, holiday rosters, patrols and their logs.

CREATE TABLE rosters (
    roster_id       text PRIMARY KEY,
    occasion        text,
    scope           text NOT NULL CHECK (scope IN ('community', 'street')),
    scope_code      text NOT NULL,
    first_day       date NOT NULL,
    last_day        date NOT NULL CHECK (last_day >= first_day),
    slots           jsonb NOT NULL,
    pool_size       integer NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX rosters_scope ON rosters (scope, scope_code, first_day);

CREATE TABLE shifts (
    shift_id        text PRIMARY KEY,
    watcher_id      text NOT NULL REFERENCES watchers,
    community_code  text NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    occasion        text,
    roster_id       text REFERENCES rosters,
    status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    scheduled_at    timestamptz NOT NULL,
    cancelled_at    timestamptz,
    cancel_reason   text
);
CREATE INDEX shifts_watcher ON shifts (watcher_id, starts_at);
CREATE INDEX shifts_community ON shifts (community_code, starts_at);
CREATE INDEX shifts_roster ON shifts (roster_id);

CREATE TABLE patrols (
    patrol_id       text PRIMARY KEY,
    watcher_id      text NOT NULL REFERENCES watchers,
    shift_id        text REFERENCES shifts,
    community_code  text NOT NULL,
    start_lat       double precision,
    start_lon       double precision,
    end_lat         double precision,
    end_lon         double precision,
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz
);
-- The rule "one open patrol per watcher", kept by the database even under concurrent requests.
CREATE UNIQUE INDEX patrols_one_open_per_watcher ON patrols (watcher_id) WHERE ended_at IS NULL;
CREATE INDEX patrols_community ON patrols (community_code, started_at);

CREATE TABLE patrol_notes (
    note_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patrol_id       text NOT NULL REFERENCES patrols,
    text            text NOT NULL,
    lat             double precision,
    lon             double precision,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX patrol_notes_patrol ON patrol_notes (patrol_id, note_id);

-- Reports made during a patrol (the reports themselves live in the reports tables).
CREATE TABLE patrol_reports (
    patrol_id       text NOT NULL REFERENCES patrols,
    report_id       text NOT NULL,
    linked_at       timestamptz NOT NULL,
    PRIMARY KEY (patrol_id, report_id)
);
