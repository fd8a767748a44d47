-- +goose Up
-- The review queue counts the open submissions past their target date on
-- every page: a partial index of those not waiting for the candidate, by
-- target date, makes that count a range of the index before today.
CREATE INDEX ce_submissions_queue_target ON ce_submissions (target_on) WHERE state IN ('pending', 'appealed');

-- +goose Down
DROP INDEX ce_submissions_queue_target;
