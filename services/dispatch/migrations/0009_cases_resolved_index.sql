-- /metrics reads the cases resolved in the last 30 days at scrape time (SLA compliance by street).
CREATE INDEX cases_resolved_at ON cases (resolved_at) WHERE resolved_at IS NOT NULL;
