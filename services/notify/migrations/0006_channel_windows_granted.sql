-- A pass takes its allowance for all its deliveries on a channel in one statement; what the last statement
-- granted is kept beside the count, since RETURNING sees only the updated row.
ALTER TABLE channel_windows ADD COLUMN last_granted integer NOT NULL DEFAULT 0;
