-- +goose Up
-- Work to do once at a set time (publish results after five business days,
-- a reminder months ahead): one row per (kind, key). A sweep claims the rows
-- whose due_at has passed on the program's clock, moving them from pending
-- to fired in the same transaction that writes their job to job_outbox, so
-- each runs once however many instances sweep.
CREATE TABLE due_work (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    args        TEXT NOT NULL,
    due_at      TIMESTAMPTZ NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'fired', 'cancelled')),
    created_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    UNIQUE (kind, key)
);
CREATE INDEX due_work_pending ON due_work (due_at) WHERE state = 'pending';
CREATE INDEX due_work_finished ON due_work (finished_at) WHERE state <> 'pending';

-- +goose Down
DROP TABLE due_work;
