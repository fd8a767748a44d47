-- +goose Up
-- A document the portal makes for a holder (a certificate of one
-- credential; score reports and transcripts later): what it is about, whose
-- it is, the paper size and language it is made in, and the stored instant
-- every date and ID in it derives from, so that it can be made again the
-- same way. One row per kind and subject.
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('certificate', 'score_report', 'transcript')),
    subject_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    paper      TEXT NOT NULL CHECK (paper IN ('A4', 'Letter')),
    language   TEXT NOT NULL CHECK (language <> ''),
    issued_at  TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (kind, subject_id)
);
CREATE INDEX documents_user ON documents (user_id);

-- +goose Down
DROP TABLE documents;
