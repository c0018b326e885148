-- Dispatch's own copy of the reference bundle's units and routing rules, editable by admins, with an audit.

-- Which bundle version is loaded; loading the same version again changes nothing.
CREATE TABLE reference_version (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    bundle_name text NOT NULL,
    version     text NOT NULL,
    loaded_at   timestamptz NOT NULL
);

CREATE TABLE units (
    id             text PRIMARY KEY,
    kind           text NOT NULL,
    name_zh        text NOT NULL,
    name_en        text NOT NULL,
    street_code    text,
    community_code text,
    active         boolean NOT NULL DEFAULT true
);

CREATE INDEX units_by_kind ON units (kind, community_code, street_code) WHERE active;

CREATE TABLE routing_rules (
    rule_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category   text NOT NULL,
    scope      text NOT NULL CHECK (scope IN ('community', 'street', 'district')),
    scope_code text,
    unit_kind  text,
    unit_id    text REFERENCES units (id),
    priority   integer NOT NULL DEFAULT 0,
    CHECK ((unit_kind IS NULL) <> (unit_id IS NULL)),
    CHECK ((scope = 'district') = (scope_code IS NULL))
);

-- A handler's token names a person; this says which unit(s) that person works for.
CREATE TABLE unit_members (
    unit_id   text NOT NULL REFERENCES units (id),
    person_id text NOT NULL,
    PRIMARY KEY (unit_id, person_id)
);

CREATE INDEX unit_members_by_person ON unit_members (person_id);

-- Every change to units, rules and members: who, when, before and after.
CREATE TABLE reference_changes (
    change_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     text NOT NULL CHECK (entity IN ('bundle', 'unit', 'rule', 'member')),
    entity_id  text NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL,
    before     jsonb,
    after      jsonb
);
