-- +goose Up
-- The reminders of a certification's expiry, and the notice that it
-- expired (months_before = 0): one row per earned certification, expiry
-- day and offset, written in the transaction that queues the mail, so each
-- is sent once across restarts and instances. A renewal moves the expiry
-- day, and the new cycle's reminders get rows of their own.
CREATE TABLE certification_reminders (
    id                    INTEGER PRIMARY KEY,
    user_certification_id INTEGER NOT NULL REFERENCES user_certifications (id),
    expires_on            TEXT NOT NULL,
    months_before         INTEGER NOT NULL CHECK (months_before >= 0 AND months_before <= 120),
    cycle                 INTEGER NOT NULL,
    missing               INTEGER NOT NULL DEFAULT 0,
    pending               INTEGER NOT NULL DEFAULT 0,
    sent_at               TIMESTAMP NOT NULL,
    UNIQUE (user_certification_id, expires_on, months_before)
);

-- +goose Down
DROP TABLE certification_reminders;
