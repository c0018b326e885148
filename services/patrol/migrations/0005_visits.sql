-- Door-knocking visits (敲门行动) and the caring action's follow-ups (暖心行动).
-- A household is an address within its community, as the community keeps it: no names, no phone numbers.
CREATE TABLE households (
    household_id   text PRIMARY KEY,
    community_code text NOT NULL,
    street_code    text NOT NULL,
    address_label  text NOT NULL,
    registered_by  text NOT NULL,
    registered_at  timestamptz NOT NULL,
    UNIQUE (community_code, address_label)
);

CREATE TABLE visits (
    visit_id       uuid PRIMARY KEY,
    household_id   text NOT NULL REFERENCES households (household_id),
    community_code text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('door_knocking', 'caring_followup')),
    visited_by     text NOT NULL,
    visitor_kind   text NOT NULL,
    visited_at     timestamptz NOT NULL,
    answered       boolean NOT NULL,
    notes          text NOT NULL DEFAULT '',
    recorded_at    timestamptz NOT NULL
);

CREATE INDEX visits_by_household ON visits (household_id, visited_at DESC);
CREATE INDEX visits_by_community_time ON visits (community_code, visited_at);

-- What a visit found (a new need report) or looked at again (a need found before), and what it concluded.
CREATE TABLE visit_needs (
    visit_id  uuid NOT NULL REFERENCES visits (visit_id),
    report_id uuid NOT NULL REFERENCES reports (report_id),
    role      text NOT NULL CHECK (role IN ('found', 'followed_up')),
    outcome   text CHECK (outcome IN ('in_progress', 'met')),
    note      text NOT NULL DEFAULT '',
    PRIMARY KEY (visit_id, report_id)
);

CREATE INDEX visit_needs_by_report ON visit_needs (report_id);
