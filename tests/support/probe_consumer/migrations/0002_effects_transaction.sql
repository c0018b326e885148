-- Which transaction recorded each effect, so tests can see events that shared one.
ALTER TABLE effects ADD COLUMN transaction_id bigint NOT NULL DEFAULT txid_current();
