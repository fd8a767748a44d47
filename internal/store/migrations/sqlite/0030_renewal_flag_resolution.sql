-- +goose Up
-- How an administrator resolved a renewal flag (a renewal whose credits a
-- reversal took back): the outcome (the renewal kept as it is, or kept
-- while the candidate is asked for the credits now short), a note, who
-- resolved it and the credits short at the time. An open flag has none of
-- them; a resolved one has all (the column CHECK names the other columns,
-- which SQLite allows and tests against the existing rows, all open).
-- resolved_by names an account without a foreign key: SQLite could not
-- drop the column again on the way down.
ALTER TABLE ce_renewal_flags ADD COLUMN resolution TEXT
    CHECK ((resolution IS NULL) = (resolved_at IS NULL) AND (resolution IS NULL OR resolution IN ('kept', 'credits_requested')));
ALTER TABLE ce_renewal_flags ADD COLUMN resolution_note TEXT NOT NULL DEFAULT '';
ALTER TABLE ce_renewal_flags ADD COLUMN resolved_by INTEGER;
ALTER TABLE ce_renewal_flags ADD COLUMN credits_short INTEGER NOT NULL DEFAULT 0 CHECK (credits_short >= 0);
CREATE INDEX ce_renewal_flags_open ON ce_renewal_flags (created_at) WHERE resolved_at IS NULL;

-- +goose Down
DROP INDEX ce_renewal_flags_open;
ALTER TABLE ce_renewal_flags DROP COLUMN credits_short;
ALTER TABLE ce_renewal_flags DROP COLUMN resolved_by;
ALTER TABLE ce_renewal_flags DROP COLUMN resolution_note;
ALTER TABLE ce_renewal_flags DROP COLUMN resolution;
