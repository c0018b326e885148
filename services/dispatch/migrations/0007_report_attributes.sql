-- The answers to a category's own questions (Open311 attributes: a manhole cover's state...), as patrol took them.
ALTER TABLE reports ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';
