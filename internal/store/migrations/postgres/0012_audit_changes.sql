-- +goose Up
-- The fields an audited change changed, with their values before and after:
-- a JSON list of {"field", "before", "after"} (secret fields carry
-- "secret": true and no values); empty when the event changed no field.
ALTER TABLE audit_log ADD COLUMN changes TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN changes;
