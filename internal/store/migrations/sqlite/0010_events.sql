-- +goose Up
-- Business events: one row per fact (booking.held, booking.confirmed, ...),
-- written in the transaction of the change. Ids come from event_counter,
-- taken just before commit, so they grow in commit order and serve as a
-- reader's cursor.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    type         TEXT NOT NULL CHECK (type <> ''),
    subject_kind TEXT NOT NULL CHECK (subject_kind <> ''),
    subject_id   INTEGER NOT NULL,
    subject_ref  TEXT NOT NULL DEFAULT '',
    actor_id     INTEGER,
    payload      TEXT NOT NULL DEFAULT '{}',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX events_subject ON events (subject_kind, subject_id, id);
CREATE INDEX events_type ON events (type, id);
CREATE INDEX events_created ON events (created_at);

-- The last event id handed out; one row.
CREATE TABLE event_counter (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    last_id INTEGER NOT NULL
);
INSERT INTO event_counter (one, last_id) VALUES (1, 0);

-- +goose Down
DROP TABLE event_counter;
DROP TABLE events;
