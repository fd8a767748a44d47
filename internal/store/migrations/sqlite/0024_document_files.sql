-- +goose Up
-- The signed PDF of a document, served as stored. source_sha256 is the
-- SHA-256 of everything the file was laid out from (the document's paper,
-- language and issue instant and the stored data it shows): when that
-- changes (a new paper size, an expiry, a corrected score) the file is made
-- again and replaces this one. pdf_sha256 is the hash of the signed file
-- and stays when the bytes are lost (pdf NULL): the file is then made again
-- with the recorded key and must hash the same. The key is recorded so that
-- a rotation never changes an existing file.
CREATE TABLE document_files (
    document_id     INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    source_sha256   TEXT NOT NULL CHECK (length(source_sha256) = 64),
    document_key_id INTEGER NOT NULL REFERENCES document_keys (id),
    pdf             BLOB,
    pdf_sha256      TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX document_files_key ON document_files (document_key_id);

-- Whether a document can be made: a certificate is laid out once when its
-- credential is signed, and every document whenever it is made. problem is
-- the message for staff (a character no bundled font has) with its data as
-- JSON, '' when the last check passed.
CREATE TABLE document_checks (
    kind         TEXT NOT NULL CHECK (kind IN ('certificate', 'score_report', 'transcript')),
    subject_id   INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    problem      TEXT NOT NULL,
    problem_data TEXT NOT NULL,
    checked_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
CREATE INDEX document_checks_user ON document_checks (user_id);

-- +goose Down
DROP TABLE document_checks;
DROP TABLE document_files;
