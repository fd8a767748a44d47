-- +goose NO TRANSACTION
-- +goose Up
-- A fourth kind of document: the holder's continuing-education transcript
-- (subject: the holder's account), stored and checked like the others.
--
-- SQLite cannot alter a CHECK, so documents and document_checks are rebuilt
-- the documented way, as in 0015: foreign keys off outside the transaction,
-- new tables, every row copied with its id, the AUTOINCREMENT counter
-- carried over, the old tables dropped, the new ones renamed, their indexes
-- recreated, the foreign keys of every table checked before the commit.
-- The rows of document_files keep pointing at the same document ids.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE new_documents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('certificate', 'score_report', 'transcript', 'ce_transcript')),
    subject_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    paper      TEXT NOT NULL CHECK (paper IN ('A4', 'Letter')),
    language   TEXT NOT NULL CHECK (language <> ''),
    issued_at  TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (kind, subject_id)
);
INSERT INTO new_documents (id, kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
    SELECT id, kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at FROM documents;
DELETE FROM sqlite_sequence WHERE name = 'new_documents';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_documents', seq FROM sqlite_sequence WHERE name = 'documents';
DROP TABLE documents;
ALTER TABLE new_documents RENAME TO documents;
CREATE INDEX documents_user ON documents (user_id);
CREATE TABLE new_document_checks (
    kind         TEXT NOT NULL CHECK (kind IN ('certificate', 'score_report', 'transcript', 'ce_transcript')),
    subject_id   INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    problem      TEXT NOT NULL,
    problem_data TEXT NOT NULL,
    checked_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
INSERT INTO new_document_checks (kind, subject_id, user_id, problem, problem_data, checked_at)
    SELECT kind, subject_id, user_id, problem, problem_data, checked_at FROM document_checks;
DROP TABLE document_checks;
ALTER TABLE new_document_checks RENAME TO document_checks;
CREATE INDEX document_checks_user ON document_checks (user_id);
CREATE TEMP TABLE migration_fk_check (dangling INTEGER NOT NULL CHECK (dangling = 0));
INSERT INTO migration_fk_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE migration_fk_check;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- The older schema has no continuing-education transcripts: their rows
-- (and, through the cascade of document_files, their files) go.
DELETE FROM document_files WHERE document_id IN (SELECT id FROM documents WHERE kind = 'ce_transcript');
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE old_documents (
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
INSERT INTO old_documents (id, kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
    SELECT id, kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at FROM documents WHERE kind <> 'ce_transcript';
DELETE FROM sqlite_sequence WHERE name = 'old_documents';
INSERT INTO sqlite_sequence (name, seq) SELECT 'old_documents', seq FROM sqlite_sequence WHERE name = 'documents';
DROP TABLE documents;
ALTER TABLE old_documents RENAME TO documents;
CREATE INDEX documents_user ON documents (user_id);
CREATE TABLE old_document_checks (
    kind         TEXT NOT NULL CHECK (kind IN ('certificate', 'score_report', 'transcript')),
    subject_id   INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    problem      TEXT NOT NULL,
    problem_data TEXT NOT NULL,
    checked_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject_id)
);
INSERT INTO old_document_checks (kind, subject_id, user_id, problem, problem_data, checked_at)
    SELECT kind, subject_id, user_id, problem, problem_data, checked_at FROM document_checks WHERE kind <> 'ce_transcript';
DROP TABLE document_checks;
ALTER TABLE old_document_checks RENAME TO document_checks;
CREATE INDEX document_checks_user ON document_checks (user_id);
CREATE TEMP TABLE migration_fk_check (dangling INTEGER NOT NULL CHECK (dangling = 0));
INSERT INTO migration_fk_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE migration_fk_check;
COMMIT;
PRAGMA foreign_keys = ON;
