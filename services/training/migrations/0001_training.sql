-- The training service's own tables: organisations (a copy of the reference bundle), people, programmes and
-- sessions, mentors, the reserve pool, targeted help, and the Social Worker Cup.

CREATE TABLE reference_versions (
    version text PRIMARY KEY,
    loaded_at timestamptz NOT NULL
);

CREATE TABLE streets (
    code text PRIMARY KEY,
    name_zh text NOT NULL,
    name_en text NOT NULL
);

CREATE TABLE people (
    person_id text PRIMARY KEY,
    display_name text NOT NULL,
    roles text[] NOT NULL,
    organisation_code text,
    street_code text,
    preferred_language text NOT NULL DEFAULT 'zh-CN',
    sealed_contacts text,
    masked_contacts jsonb NOT NULL DEFAULT '[]',
    active boolean NOT NULL DEFAULT true,
    sample boolean NOT NULL DEFAULT false,
    registered_seq bigserial,
    registered_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE organisations (
    code text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('community', 'village')),
    street_code text NOT NULL REFERENCES streets (code),
    name_zh text NOT NULL,
    name_en text NOT NULL,
    secretary_id text REFERENCES people (person_id),
    secretary_post text
);

CREATE TABLE tracks (
    code text PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    requirements jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE studios (
    studio_id text PRIMARY KEY,
    name text NOT NULL,
    lead_mentor_id text NOT NULL REFERENCES people (person_id),
    focus text NOT NULL DEFAULT '',
    sample boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);

CREATE TABLE pairings (
    pairing_id text PRIMARY KEY,
    studio_id text NOT NULL REFERENCES studios (studio_id),
    mentor_id text NOT NULL REFERENCES people (person_id),
    mentee_id text NOT NULL REFERENCES people (person_id),
    started_on date NOT NULL,
    goals text NOT NULL,
    ended_on date,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX pairings_one_active_per_couple ON pairings (mentor_id, mentee_id) WHERE ended_on IS NULL;

CREATE TABLE pairing_notes (
    note_id bigserial PRIMARY KEY,
    pairing_id text NOT NULL REFERENCES pairings (pairing_id),
    noted_on date NOT NULL,
    progress text NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE TABLE courses (
    course_id text PRIMARY KEY,
    title text NOT NULL,
    kind text NOT NULL,
    description text NOT NULL DEFAULT '',
    planned_sessions integer NOT NULL CHECK (planned_sessions >= 1),
    sample boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);

CREATE TABLE sessions (
    session_id text PRIMARY KEY,
    kind text NOT NULL,
    title text NOT NULL,
    topic text,
    place text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
    capacity integer NOT NULL CHECK (capacity >= 1),
    lecturer_id text REFERENCES people (person_id),
    course_id text REFERENCES courses (course_id),
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason text,
    sample boolean NOT NULL DEFAULT false,
    scheduled_at timestamptz NOT NULL
);

CREATE TABLE enrolments (
    session_id text NOT NULL REFERENCES sessions (session_id),
    person_id text NOT NULL REFERENCES people (person_id),
    status text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'withdrawn', 'cancelled')),
    queued_seq bigserial,
    enrolled_at timestamptz NOT NULL,
    confirmed_at timestamptz,
    PRIMARY KEY (session_id, person_id)
);

CREATE TABLE attendance (
    session_id text NOT NULL REFERENCES sessions (session_id),
    person_id text NOT NULL REFERENCES people (person_id),
    attended boolean NOT NULL,
    hours numeric(5, 2) NOT NULL CHECK (hours >= 0 AND hours <= 24),
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, person_id)
);

CREATE TABLE feedback (
    session_id text NOT NULL REFERENCES sessions (session_id),
    person_id text NOT NULL REFERENCES people (person_id),
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment text,
    given_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, person_id)
);

CREATE TABLE materials (
    material_id bigserial PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (session_id),
    title text NOT NULL,
    url text NOT NULL,
    attached_at timestamptz NOT NULL
);

CREATE TABLE candidates (
    candidate_id text PRIMARY KEY,
    person_id text NOT NULL REFERENCES people (person_id),
    organisation_code text NOT NULL REFERENCES organisations (code),
    nominated_by text NOT NULL CHECK (nominated_by IN ('organisation', 'masses', 'self')),
    nominator text,
    stage text NOT NULL CHECK (stage IN ('nominated', 'in_cultivation', 'ready', 'appointed', 'removed')),
    removed_reason text,
    sample boolean NOT NULL DEFAULT false,
    nominated_at timestamptz NOT NULL,
    stage_changed_at timestamptz NOT NULL,
    UNIQUE (person_id, organisation_code)
);

CREATE TABLE cultivation_records (
    record_id bigserial PRIMARY KEY,
    candidate_id text NOT NULL REFERENCES candidates (candidate_id),
    kind text NOT NULL CHECK (kind IN ('method', 'rotation', 'talk', 'review')),
    method text CHECK (method IN ('handling_affairs', 'hands_off_practice', 'exchange', 'on_site_teaching')),
    occurred_on date NOT NULL,
    summary text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE TABLE practice_cases (
    person_id text NOT NULL REFERENCES people (person_id),
    case_id uuid NOT NULL,
    unit_id text NOT NULL,
    resolved_at timestamptz NOT NULL,
    PRIMARY KEY (person_id, case_id)
);

CREATE TABLE assistance (
    assistance_id text PRIMARY KEY,
    organisation_code text NOT NULL REFERENCES organisations (code),
    area text NOT NULL,
    helper_id text NOT NULL REFERENCES people (person_id),
    analysis text,
    guidance text,
    status text NOT NULL CHECK (status IN ('open', 'followed_up', 'closed')),
    opened_at timestamptz NOT NULL,
    closed_at timestamptz
);

CREATE TABLE assistance_followups (
    followup_id bigserial PRIMARY KEY,
    assistance_id text NOT NULL REFERENCES assistance (assistance_id),
    noted_on date NOT NULL,
    note text NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE TABLE competitions (
    competition_id text PRIMARY KEY,
    title text NOT NULL,
    finalists integer NOT NULL CHECK (finalists >= 1),
    status text NOT NULL CHECK (status IN ('registration', 'final', 'published')),
    sample boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    published_at timestamptz
);

CREATE TABLE contestants (
    competition_id text NOT NULL REFERENCES competitions (competition_id),
    person_id text NOT NULL REFERENCES people (person_id),
    street_code text NOT NULL REFERENCES streets (code),
    registered_seq bigserial,
    registered_at timestamptz NOT NULL,
    preliminary_score numeric(6, 2),
    finalist boolean NOT NULL DEFAULT false,
    PRIMARY KEY (competition_id, person_id)
);

CREATE TABLE scores (
    competition_id text NOT NULL,
    round smallint NOT NULL CHECK (round BETWEEN 1 AND 3),
    person_id text NOT NULL,
    judge_id text NOT NULL,
    score numeric(6, 2) NOT NULL CHECK (score >= 0),
    scored_at timestamptz NOT NULL,
    PRIMARY KEY (competition_id, round, person_id, judge_id),
    FOREIGN KEY (competition_id, person_id) REFERENCES contestants (competition_id, person_id)
);

CREATE TABLE results (
    competition_id text NOT NULL REFERENCES competitions (competition_id),
    person_id text NOT NULL,
    rank integer NOT NULL,
    total double precision NOT NULL,
    round_averages double precision[] NOT NULL,
    PRIMARY KEY (competition_id, person_id)
);
