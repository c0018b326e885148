-- Safety watchers (平安守望员). The phone is personal data: it stays in this schema, never in events or logs.

CREATE SEQUENCE watcher_numbers;

CREATE TABLE watchers (
    watcher_id          text PRIMARY KEY,
    display_name        text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    community_code      text NOT NULL,
    street_code         text NOT NULL,
    active              boolean NOT NULL DEFAULT true,
    phone               text NOT NULL CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    preferred_language  text NOT NULL DEFAULT 'zh-CN',
    registered_at       timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    deactivated_at      timestamptz,
    deactivation_reason text,
    CHECK (active = (deactivated_at IS NULL))
);

-- One active watcher per phone: a second registration of the same person is a duplicate.
CREATE UNIQUE INDEX watchers_active_phone ON watchers (phone) WHERE active;
CREATE INDEX watchers_community ON watchers (community_code, watcher_id);
CREATE INDEX watchers_street ON watchers (street_code, watcher_id);

-- Kit handed over: 红袖标 red armband, 红马甲 red vest.
CREATE TABLE watcher_equipment (
    watcher_id  text NOT NULL REFERENCES watchers ON DELETE CASCADE,
    item        text NOT NULL CHECK (item IN ('red_armband', 'red_vest')),
    issued_on   date NOT NULL,
    PRIMARY KEY (watcher_id, item)
);

-- "Volunteer + police": the officer (民警) or auxiliary police (辅警) a watcher patrols with.
CREATE TABLE watcher_pairings (
    watcher_id  text NOT NULL REFERENCES watchers ON DELETE CASCADE,
    position    integer NOT NULL,
    role        text NOT NULL CHECK (role IN ('police', 'auxiliary_police')),
    name        text NOT NULL,
    badge       text,
    station     text,
    PRIMARY KEY (watcher_id, position)
);
