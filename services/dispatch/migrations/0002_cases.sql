-- Cases (立案) and the reports they hold, their audit trail, and their escalations.

CREATE TABLE cases (
    case_id              uuid PRIMARY KEY,
    primary_report_id    uuid NOT NULL,
    kind                 text NOT NULL,
    category             text NOT NULL,
    description          text NOT NULL,
    lat                  double precision,
    lon                  double precision,
    address              text,
    community_code       text NOT NULL,
    street_code          text NOT NULL,
    grid_code            text,
    severity             text NOT NULL,
    status               text NOT NULL CHECK (status IN (
        'assigned', 'accepted', 'in_progress', 'resolved', 'reopened', 'returned', 'closed', 'cancelled', 'merged')),
    unit_id              text NOT NULL,
    routing_reason       text NOT NULL,
    deadline             timestamptz NOT NULL,
    -- a new deadline (reassignment, reopening) starts a new cycle; escalation happens once per level per cycle
    cycle                integer NOT NULL DEFAULT 1,
    escalation_level     text NOT NULL DEFAULT 'unit' CHECK (escalation_level IN ('unit', 'street', 'district')),
    escalated_to         text,
    escalate_at          timestamptz,
    reported_at          timestamptz NOT NULL,
    opened_at            timestamptz NOT NULL,
    accepted_at          timestamptz,
    resolved_at          timestamptz,
    resolved_by          text,
    resolution_note      text,
    resolution_photo_url text,
    resolved_in_time     boolean,
    closed_at            timestamptz,
    reopen_count         integer NOT NULL DEFAULT 0,
    merged_into          uuid REFERENCES cases (case_id),
    updated_at           timestamptz NOT NULL
);

-- One live case per report that opened one: a second delivery of a report cannot open a second case.
CREATE UNIQUE INDEX cases_one_per_primary_report ON cases (primary_report_id) WHERE status <> 'merged';
CREATE INDEX cases_board ON cases (status, deadline);
CREATE INDEX cases_unit ON cases (unit_id, status);
CREATE INDEX cases_escalate ON cases (escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX cases_resolved ON cases (resolved_at) WHERE status = 'resolved';
CREATE INDEX cases_merge_candidates ON cases (category, reported_at);

-- Dispatch's own copy of each report it received; several reports can share a case.
CREATE TABLE reports (
    report_id      uuid PRIMARY KEY,
    case_id        uuid REFERENCES cases (case_id),
    kind           text NOT NULL,
    category       text NOT NULL,
    description    text NOT NULL,
    lat            double precision,
    lon            double precision,
    address        text,
    community_code text NOT NULL,
    street_code    text NOT NULL,
    grid_code      text,
    severity       text NOT NULL,
    reporter_kind  text NOT NULL,
    reporter_id    text,
    photo_urls     text[] NOT NULL DEFAULT '{}',
    reported_at    timestamptz NOT NULL,
    received_at    timestamptz NOT NULL,
    merged_by      text CHECK (merged_by IN ('automatic', 'dispatcher')),
    merged_at      timestamptz,
    withdrawn_at   timestamptz,
    withdrawal_reason text
);

CREATE INDEX reports_by_case ON reports (case_id);

-- A withdrawal can arrive before its report (separate queues): it waits here for it.
CREATE TABLE withdrawals (
    report_id    uuid PRIMARY KEY,
    reason       text NOT NULL,
    withdrawn_at timestamptz NOT NULL
);

-- The audit trail: every transition of every case, written in the transaction that made it.
CREATE TABLE case_transitions (
    transition_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       uuid NOT NULL REFERENCES cases (case_id),
    action        text NOT NULL,
    from_status   text,
    to_status     text NOT NULL,
    actor         text NOT NULL,
    reason        text,
    at            timestamptz NOT NULL
);

CREATE INDEX case_transitions_by_case ON case_transitions (case_id, transition_id);

-- "Once per level" is this primary key: a second sweeper cannot escalate the same cycle to the same level.
CREATE TABLE escalations (
    case_id       uuid NOT NULL REFERENCES cases (case_id),
    cycle         integer NOT NULL,
    level         text NOT NULL CHECK (level IN ('street', 'district')),
    escalated_to  text NOT NULL,
    missed_deadline timestamptz NOT NULL,
    escalated_at  timestamptz NOT NULL,
    PRIMARY KEY (case_id, cycle, level)
);

-- Great-circle (haversine) distance in metres between two WGS 84 points.
CREATE FUNCTION distance_m(lat1 double precision, lon1 double precision, lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371008.8 * asin(sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;
