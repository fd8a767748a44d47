-- +goose Up
-- How an administrator resolved a renewal flag (a renewal whose credits a
-- reversal took back): the outcome (the renewal kept as it is, or kept
-- while the candidate is asked for the credits now short), a note, who
-- resolved it and the credits short at the time. An open flag has none of
-- them; a resolved one has all.
ALTER TABLE ce_renewal_flags ADD COLUMN resolution TEXT CHECK (resolution IN ('kept', 'credits_requested'));
ALTER TABLE ce_renewal_flags ADD COLUMN resolution_note TEXT NOT NULL DEFAULT '';
ALTER TABLE ce_renewal_flags ADD COLUMN resolved_by BIGINT REFERENCES users (id);
ALTER TABLE ce_renewal_flags ADD COLUMN credits_short INTEGER NOT NULL DEFAULT 0 CHECK (credits_short >= 0);
ALTER TABLE ce_renewal_flags ADD CONSTRAINT ce_renewal_flags_resolved CHECK ((resolution IS NULL) = (resolved_at IS NULL));
CREATE INDEX ce_renewal_flags_open ON ce_renewal_flags (created_at) WHERE resolved_at IS NULL;

-- +goose Down
DROP INDEX ce_renewal_flags_open;
ALTER TABLE ce_renewal_flags DROP CONSTRAINT ce_renewal_flags_resolved;
ALTER TABLE ce_renewal_flags DROP COLUMN credits_short;
ALTER TABLE ce_renewal_flags DROP COLUMN resolved_by;
ALTER TABLE ce_renewal_flags DROP COLUMN resolution_note;
ALTER TABLE ce_renewal_flags DROP COLUMN resolution;
