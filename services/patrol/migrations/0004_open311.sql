-- Open311 GeoReport v2: client API keys (stored hashed) and what a client sent with a request.

CREATE TABLE open311_api_keys (
    key_id text PRIMARY KEY,
    client_name text NOT NULL,
    key_sha256 text NOT NULL UNIQUE,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

-- The requester's contact details are personal data: kept sealed (shared/contacts.py), never in events or logs.
CREATE TABLE open311_requests (
    report_id uuid PRIMARY KEY REFERENCES reports (report_id),
    token text NOT NULL UNIQUE,
    key_id text NOT NULL REFERENCES open311_api_keys (key_id),
    service_code text NOT NULL,
    requester_name text,
    sealed_contacts text,
    device_id text,
    account_id text
);
