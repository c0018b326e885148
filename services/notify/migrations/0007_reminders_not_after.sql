-- A reminder is worth nothing once what it reminds of has started: the moment after which it is never sent.
ALTER TABLE deliveries ADD COLUMN not_after timestamptz;
