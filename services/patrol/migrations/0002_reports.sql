-- Reference data loaded from the bundle, hazard reports with their photos, and the reporter's status projection.

CREATE TABLE reference_loads (
    bundle_name text PRIMARY KEY,
    version text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE streets (
    street_code text PRIMARY KEY,
    name_zh text NOT NULL,
    name_en text NOT NULL
);

CREATE TABLE communities (
    community_code text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('community', 'village')),
    street_code text NOT NULL,
    name_zh text NOT NULL,
    name_en text NOT NULL
);

CREATE TABLE grids (
    grid_code text PRIMARY KEY,
    community_code text NOT NULL,
    geometry jsonb NOT NULL
);

-- A category no longer in the bundle stays (old reports name it) but is inactive.
CREATE TABLE categories (
    code text PRIMARY KEY,
    group_code text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('hazard', 'need')),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    keywords text[] NOT NULL DEFAULT '{}',
    default_severity text NOT NULL,
    attributes jsonb NOT NULL DEFAULT '[]',
    position integer NOT NULL,
    active boolean NOT NULL DEFAULT true
);

CREATE TABLE reports (
    report_id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('hazard', 'need')),
    category text NOT NULL,
    description text NOT NULL,
    lat double precision,
    lon double precision,
    address text,
    address_id text,
    community_code text NOT NULL,
    street_code text NOT NULL,
    grid_code text,
    severity text NOT NULL CHECK (severity IN ('low', 'normal', 'high', 'urgent')),
    reporter_kind text NOT NULL,
    reporter_id text,
    -- who made it, even when the report is anonymous in its event: only they may see or withdraw it
    submitted_by text,
    channel text NOT NULL DEFAULT 'app' CHECK (channel IN ('app', 'open311')),
    attributes jsonb NOT NULL DEFAULT '{}',
    media_url text,
    reported_at timestamptz NOT NULL,
    withdrawn_at timestamptz,
    withdraw_reason text
);
CREATE INDEX reports_submitted_by ON reports (submitted_by, reported_at DESC);
CREATE INDEX reports_reported_at ON reports (reported_at DESC);

CREATE TABLE report_photos (
    report_id uuid NOT NULL REFERENCES reports (report_id),
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 9),
    sha256 text NOT NULL,
    extension text NOT NULL,
    content_type text NOT NULL,
    size_bytes integer NOT NULL,
    PRIMARY KEY (report_id, position)
);

-- Which reports a dispatch case holds (from dispatch.assigned, issue.resolved and hazard.merged).
CREATE TABLE case_reports (
    case_id uuid NOT NULL,
    report_id uuid NOT NULL,
    PRIMARY KEY (case_id, report_id)
);
CREATE INDEX case_reports_report ON case_reports (report_id);

-- What happened to a case, one row per event, ordered by when it happened (not when it arrived).
CREATE TABLE case_history (
    case_id uuid NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    status text NOT NULL,
    note text NOT NULL,
    unit_id text,
    deadline timestamptz,
    precedence smallint NOT NULL,
    PRIMARY KEY (case_id, event_type, occurred_at)
);

-- What happened to a report itself (reported, withdrawn, merged into a case).
CREATE TABLE report_history (
    report_id uuid NOT NULL,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    status text NOT NULL,
    note text NOT NULL,
    precedence smallint NOT NULL,
    PRIMARY KEY (report_id, event_type, occurred_at)
);

-- A report's public timeline: its own entries and those of every case that holds it. Its status is the newest
-- entry (among entries of the same instant, the higher precedence: the later workflow step).
CREATE VIEW report_timeline AS
    SELECT report_id, NULL::uuid AS case_id, event_type, occurred_at, status, note, precedence,
           NULL::text AS unit_id, NULL::timestamptz AS deadline
      FROM report_history
    UNION ALL
    SELECT cr.report_id, ch.case_id, ch.event_type, ch.occurred_at, ch.status, ch.note, ch.precedence,
           ch.unit_id, ch.deadline
      FROM case_reports cr JOIN case_history ch ON ch.case_id = cr.case_id;

