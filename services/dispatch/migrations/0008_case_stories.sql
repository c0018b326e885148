-- The story a case belongs to: the correlation id of the report that opened it. Every event about the case, from
-- any command, carries it, so one id follows a report from hazard.reported to issue.closed (cases opened before
-- this migration have none, and their later events start stories of their own as before).
ALTER TABLE cases ADD COLUMN correlation_id uuid;
