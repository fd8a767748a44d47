-- +goose Up
-- Business events: one row per fact (booking.held, booking.confirmed, ...),
-- written in the transaction of the change. Ids come from event_counter,
-- whose row lock is taken just before commit and held until it, so ids grow
-- in commit order and serve as a reader's cursor (a sequence would not: a
-- smaller id can commit after a larger one).
CREATE TABLE events (
    id           BIGINT PRIMARY KEY,
    type         TEXT NOT NULL CHECK (type <> ''),
    subject_kind TEXT NOT NULL CHECK (subject_kind <> ''),
    subject_id   BIGINT NOT NULL,
    subject_ref  TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT,
    payload      TEXT NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_subject ON events (subject_kind, subject_id, id);
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_created ON events (created_at);

-- The last event id handed out; one row.
CREATE TABLE event_counter (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    last_id BIGINT NOT NULL
);
INSERT INTO event_counter (one, last_id) VALUES (1, 0);

-- +goose Down
DROP TABLE event_counter;
DROP TABLE events;
