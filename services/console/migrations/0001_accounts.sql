-- The people who sign in to the console. Everything else they see belongs to the four services.
CREATE TABLE accounts (
    username        text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9._-]{2,64}$'),
    password_hash   text NOT NULL,
    display_name    text NOT NULL,
    roles           text[] NOT NULL CHECK (cardinality(roles) > 0),
    community_code  text,
    street_code     text,
    unit_id         text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
