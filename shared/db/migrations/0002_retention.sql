-- Retention (shared/outbox/retention.py) deletes, oldest first, published outbox rows that were routed and inbox
-- rows, once older than the window. This index holds exactly the outbox rows it may delete, so a batch reads
-- them in order and stops at its limit; it replaces the index of every published row, which nothing else reads.
-- inbox_handled_at (0001) serves the inbox the same way.
DROP INDEX outbox_published;
CREATE INDEX outbox_expiry ON outbox (published_at) WHERE published_at IS NOT NULL AND NOT unroutable;
