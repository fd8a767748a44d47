-- +goose Up
-- Results and certifications: the certification catalogue, exam attempts
-- with their results, result imports, and the certifications candidates
-- earn. Every instant is UTC; dates of issue and expiry are days of the
-- program's calendar.

-- The processing delay of an exam's results, in business days.
ALTER TABLE exams ADD COLUMN results_delay_days INTEGER NOT NULL DEFAULT 5 CHECK (results_delay_days BETWEEN 0 AND 60);

CREATE TABLE certifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    level           TEXT NOT NULL CHECK (level IN ('foundational', 'associate', 'professional', 'specialty')),
    kind            TEXT NOT NULL CHECK (kind IN ('certification', 'microcredential')),
    validity_months INTEGER NOT NULL CHECK (validity_months BETWEEN 1 AND 120),
    benefits        TEXT NOT NULL DEFAULT '',  -- one per line
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- The exams whose pass earns a certification (each exam earns at most
-- one) and those whose pass renews it.
CREATE TABLE certification_exams (
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    exam_id          INTEGER NOT NULL REFERENCES exams (id),
    path             TEXT NOT NULL CHECK (path IN ('earn', 'renew')),
    PRIMARY KEY (certification_id, exam_id, path)
);
CREATE UNIQUE INDEX certification_exams_earn ON certification_exams (exam_id) WHERE path = 'earn';

-- One file of results: parsed rows are staged in batches (progress, and
-- a restart resumes), then applied in one transaction. An applied file
-- cannot be applied again (content_hash).
CREATE TABLE result_imports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash TEXT NOT NULL,             -- hex SHA-256 of the file
    file_name    TEXT NOT NULL,             -- display text only
    format       TEXT NOT NULL CHECK (format IN ('csv', 'json')),
    state        TEXT NOT NULL CHECK (state IN ('staging', 'checked', 'applying', 'applied', 'discarded')),
    rows_total   INTEGER NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
    rows_bad     INTEGER NOT NULL DEFAULT 0 CHECK (rows_bad >= 0),
    rows_applied INTEGER NOT NULL DEFAULT 0 CHECK (rows_applied >= 0),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    applied_at   TIMESTAMP
);
CREATE UNIQUE INDEX result_imports_applied ON result_imports (content_hash) WHERE state IN ('applying', 'applied');
CREATE INDEX result_imports_recent ON result_imports (created_at);

-- The rows of an import as parsed; problem lists what is wrong with a bad
-- row (JSON), empty when it is good.
CREATE TABLE result_import_rows (
    import_id  INTEGER NOT NULL REFERENCES result_imports (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    data       TEXT NOT NULL,
    problem    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row_number)
);

-- An attempt is one sitting of an exam and its result, with a snapshot of
-- what was in force that day. It replaces the history table the retake
-- rule read, keeping its name; rows without a score could not have been
-- recorded and are not carried over.
CREATE TABLE exam_attempts_results (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    exam_id          INTEGER NOT NULL REFERENCES exams (id),
    exam_code        TEXT NOT NULL,
    certification_id INTEGER REFERENCES certifications (id),
    booking_id       INTEGER REFERENCES bookings (id),
    taken_at         TIMESTAMP NOT NULL,
    score            INTEGER NOT NULL CHECK (score BETWEEN 100 AND 1000),
    passed           INTEGER NOT NULL CHECK (passed IN (0, 1)),
    passing_score    INTEGER NOT NULL CHECK (passing_score BETWEEN 100 AND 1000),
    retake_wait_days INTEGER NOT NULL CHECK (retake_wait_days >= 0),
    retake_from      TIMESTAMP,
    domains          TEXT NOT NULL DEFAULT '[]',  -- JSON [{"name", "weight", "band"}]
    state            TEXT NOT NULL CHECK (state IN ('entered', 'preliminary', 'held', 'official')),
    source           TEXT NOT NULL CHECK (source IN ('console', 'import')),
    import_id        INTEGER REFERENCES result_imports (id),
    official_at      TIMESTAMP NOT NULL,
    published_at     TIMESTAMP,
    entered_by       INTEGER REFERENCES users (id),
    confirmed_by     INTEGER REFERENCES users (id),
    confirmed_at     TIMESTAMP,
    held_at          TIMESTAMP,
    held_by          INTEGER REFERENCES users (id),
    hold_reason      TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK ((state = 'official') = (published_at IS NOT NULL)),
    CHECK ((passed = 1 AND retake_from IS NULL) OR (passed = 0 AND retake_from IS NOT NULL)),
    CHECK (user_id <> entered_by AND user_id <> confirmed_by AND entered_by <> confirmed_by)
);
INSERT INTO exam_attempts_results (id, user_id, exam_id, exam_code, booking_id, taken_at, score, passed, passing_score,
    retake_wait_days, retake_from, state, source, official_at, published_at, created_at, updated_at)
SELECT a.id, a.user_id, a.exam_id, e.code, a.booking_id, a.taken_at, a.score, a.passed, e.passing_score,
    e.retake_wait_days, CASE WHEN a.passed = 1 THEN NULL ELSE datetime(a.taken_at, '+' || e.retake_wait_days || ' days') END,
    'official', 'console', a.taken_at, a.created_at, a.created_at, a.created_at
FROM exam_attempts a JOIN exams e ON e.id = a.exam_id
WHERE a.passed IS NOT NULL AND a.score BETWEEN 100 AND 1000;
DROP TABLE exam_attempts;
ALTER TABLE exam_attempts_results RENAME TO exam_attempts;
CREATE UNIQUE INDEX exam_attempts_booking ON exam_attempts (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX exam_attempts_user ON exam_attempts (user_id, taken_at);
CREATE INDEX exam_attempts_retake ON exam_attempts (user_id, certification_id, retake_from) WHERE passed = 0;
CREATE INDEX exam_attempts_awaiting ON exam_attempts (state, created_at) WHERE state IN ('entered', 'held');
CREATE INDEX exam_attempts_import ON exam_attempts (import_id) WHERE import_id IS NOT NULL;

-- Imported rows naming an email that no account has: kept for staff and
-- attached when an account with that address appears.
CREATE TABLE parked_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id   INTEGER NOT NULL REFERENCES result_imports (id),
    row_number  INTEGER NOT NULL,
    email       TEXT NOT NULL,              -- normalised
    data        TEXT NOT NULL,              -- the row as validated, JSON
    attempt_id  INTEGER REFERENCES exam_attempts (id),
    created_at  TIMESTAMP NOT NULL,
    attached_at TIMESTAMP,
    UNIQUE (import_id, row_number)
);
CREATE INDEX parked_results_waiting ON parked_results (email) WHERE attempt_id IS NULL;

-- A certification a candidate earned. Issued on the delivery day of the
-- pass in the program's time zone; expires at the end of expires_on
-- there. Status is derived when read from these dates and the clock.
CREATE TABLE user_certifications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    certification_id INTEGER NOT NULL REFERENCES certifications (id),
    attempt_id       INTEGER NOT NULL UNIQUE REFERENCES exam_attempts (id),
    cycle            INTEGER NOT NULL DEFAULT 1 CHECK (cycle >= 1),
    kind             TEXT NOT NULL CHECK (kind IN ('certification', 'microcredential')),
    validity_months  INTEGER NOT NULL CHECK (validity_months BETWEEN 1 AND 120),
    issued_on        TEXT NOT NULL,
    expires_on       TEXT NOT NULL,
    issued_at        TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    suspended_at     TIMESTAMP,
    revoked_at       TIMESTAMP,
    status_reason    TEXT NOT NULL DEFAULT '',
    withdrawn_at     TIMESTAMP,
    superseded_by    INTEGER REFERENCES user_certifications (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    CHECK (expires_at > issued_at)
);
CREATE INDEX user_certifications_user ON user_certifications (user_id, certification_id);
CREATE INDEX user_certifications_expiry ON user_certifications (expires_at);

-- The voucher an official pass gives: one per earned certification and
-- cycle.
CREATE TABLE certification_vouchers (
    user_certification_id INTEGER NOT NULL REFERENCES user_certifications (id),
    cycle                 INTEGER NOT NULL CHECK (cycle >= 1),
    voucher_id            INTEGER NOT NULL UNIQUE REFERENCES vouchers (id),
    created_at            TIMESTAMP NOT NULL,
    PRIMARY KEY (user_certification_id, cycle)
);

-- +goose Down
DROP TABLE certification_vouchers;
DROP TABLE user_certifications;
DROP TABLE parked_results;
DROP TABLE exam_attempts;
CREATE TABLE exam_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    exam_id    INTEGER NOT NULL REFERENCES exams (id),
    booking_id INTEGER REFERENCES bookings (id),
    taken_at   TIMESTAMP NOT NULL,
    passed     INTEGER CHECK (passed IN (0, 1)),
    score      INTEGER,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX exam_attempts_user ON exam_attempts (user_id, exam_id, taken_at);
DROP TABLE result_import_rows;
DROP TABLE result_imports;
DROP TABLE certification_exams;
DROP TABLE certifications;
ALTER TABLE exams DROP COLUMN results_delay_days;
