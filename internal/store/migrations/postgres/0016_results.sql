-- +goose Up
-- Results and certifications: the certification catalogue, exam attempts
-- with their results, result imports, and the certifications candidates
-- earn. Every instant is UTC; dates of issue and expiry are days of the
-- program's calendar.

-- The processing delay of an exam's results, in business days.
ALTER TABLE exams ADD COLUMN results_delay_days INTEGER NOT NULL DEFAULT 5 CHECK (results_delay_days BETWEEN 0 AND 60);

CREATE TABLE certifications (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    level           TEXT NOT NULL CHECK (level IN ('foundational', 'associate', 'professional', 'specialty')),
    kind            TEXT NOT NULL CHECK (kind IN ('certification', 'microcredential')),
    validity_months INTEGER NOT NULL CHECK (validity_months BETWEEN 1 AND 120),
    benefits        TEXT NOT NULL DEFAULT '',  -- one per line
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- The exams whose pass earns a certification (each exam earns at most
-- one) and those whose pass renews it.
CREATE TABLE certification_exams (
    certification_id BIGINT NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    exam_id          BIGINT NOT NULL REFERENCES exams (id),
    path             TEXT NOT NULL CHECK (path IN ('earn', 'renew')),
    PRIMARY KEY (certification_id, exam_id, path)
);
CREATE UNIQUE INDEX certification_exams_earn ON certification_exams (exam_id) WHERE path = 'earn';

-- One file of results: parsed rows are staged in batches (progress, and
-- a restart resumes), then applied in one transaction. An applied file
-- cannot be applied again (content_hash).
CREATE TABLE result_imports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content_hash TEXT NOT NULL,             -- hex SHA-256 of the file
    file_name    TEXT NOT NULL,             -- display text only
    format       TEXT NOT NULL CHECK (format IN ('csv', 'json')),
    state        TEXT NOT NULL CHECK (state IN ('staging', 'checked', 'applying', 'applied', 'discarded')),
    rows_total   INTEGER NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
    rows_bad     INTEGER NOT NULL DEFAULT 0 CHECK (rows_bad >= 0),
    rows_applied INTEGER NOT NULL DEFAULT 0 CHECK (rows_applied >= 0),
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    applied_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX result_imports_applied ON result_imports (content_hash) WHERE state IN ('applying', 'applied');
CREATE INDEX result_imports_recent ON result_imports (created_at);

-- The rows of an import as parsed; problem lists what is wrong with a bad
-- row (JSON), empty when it is good.
CREATE TABLE result_import_rows (
    import_id  BIGINT NOT NULL REFERENCES result_imports (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    data       TEXT NOT NULL,
    problem    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row_number)
);

-- An attempt is one sitting of an exam and its result, with a snapshot of
-- what was in force that day. The history table the retake rule read
-- grows into it; rows without a score could not have been recorded and
-- are not carried over.
DELETE FROM exam_attempts WHERE passed IS NULL OR score IS NULL OR score NOT BETWEEN 100 AND 1000;
DROP INDEX exam_attempts_user;
ALTER TABLE exam_attempts
    ADD COLUMN exam_code        TEXT,
    ADD COLUMN certification_id BIGINT REFERENCES certifications (id),
    ADD COLUMN passing_score    INTEGER,
    ADD COLUMN retake_wait_days INTEGER,
    ADD COLUMN retake_from      TIMESTAMPTZ,
    ADD COLUMN domains          TEXT NOT NULL DEFAULT '[]',  -- JSON [{"name", "weight", "band"}]
    ADD COLUMN state            TEXT NOT NULL DEFAULT 'official' CHECK (state IN ('entered', 'preliminary', 'held', 'official')),
    ADD COLUMN source           TEXT NOT NULL DEFAULT 'console' CHECK (source IN ('console', 'import')),
    ADD COLUMN import_id        BIGINT REFERENCES result_imports (id),
    ADD COLUMN official_at      TIMESTAMPTZ,
    ADD COLUMN published_at     TIMESTAMPTZ,
    ADD COLUMN entered_by       BIGINT REFERENCES users (id),
    ADD COLUMN confirmed_by     BIGINT REFERENCES users (id),
    ADD COLUMN confirmed_at     TIMESTAMPTZ,
    ADD COLUMN held_at          TIMESTAMPTZ,
    ADD COLUMN held_by          BIGINT REFERENCES users (id),
    ADD COLUMN hold_reason      TEXT NOT NULL DEFAULT '',
    ADD COLUMN updated_at       TIMESTAMPTZ;
UPDATE exam_attempts a SET exam_code = e.code, passing_score = e.passing_score, retake_wait_days = e.retake_wait_days,
    retake_from = CASE WHEN a.passed THEN NULL ELSE a.taken_at + make_interval(days => e.retake_wait_days) END,
    official_at = a.taken_at, published_at = a.created_at, updated_at = a.created_at
FROM exams e WHERE e.id = a.exam_id;
ALTER TABLE exam_attempts
    ALTER COLUMN exam_code SET NOT NULL,
    ALTER COLUMN passing_score SET NOT NULL,
    ALTER COLUMN retake_wait_days SET NOT NULL,
    ALTER COLUMN official_at SET NOT NULL,
    ALTER COLUMN updated_at SET NOT NULL,
    ALTER COLUMN passed SET NOT NULL,
    ALTER COLUMN score SET NOT NULL,
    ALTER COLUMN state DROP DEFAULT,
    ALTER COLUMN source DROP DEFAULT,
    ADD CONSTRAINT exam_attempts_score_check CHECK (score BETWEEN 100 AND 1000),
    ADD CONSTRAINT exam_attempts_passing_score_check CHECK (passing_score BETWEEN 100 AND 1000),
    ADD CONSTRAINT exam_attempts_retake_wait_days_check CHECK (retake_wait_days >= 0),
    ADD CONSTRAINT exam_attempts_published_check CHECK ((state = 'official') = (published_at IS NOT NULL)),
    ADD CONSTRAINT exam_attempts_retake_check CHECK ((passed AND retake_from IS NULL) OR (NOT passed AND retake_from IS NOT NULL)),
    ADD CONSTRAINT exam_attempts_people_check CHECK (user_id <> entered_by AND user_id <> confirmed_by AND entered_by <> confirmed_by);
CREATE UNIQUE INDEX exam_attempts_booking ON exam_attempts (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX exam_attempts_user ON exam_attempts (user_id, taken_at);
CREATE INDEX exam_attempts_retake ON exam_attempts (user_id, certification_id, retake_from) WHERE NOT passed;
CREATE INDEX exam_attempts_awaiting ON exam_attempts (state, created_at) WHERE state IN ('entered', 'held');
CREATE INDEX exam_attempts_import ON exam_attempts (import_id) WHERE import_id IS NOT NULL;

-- Imported rows naming an email that no account has: kept for staff and
-- attached when an account with that address appears.
CREATE TABLE parked_results (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_id   BIGINT NOT NULL REFERENCES result_imports (id),
    row_number  INTEGER NOT NULL,
    email       TEXT NOT NULL,              -- normalised
    data        TEXT NOT NULL,              -- the row as validated, JSON
    attempt_id  BIGINT REFERENCES exam_attempts (id),
    created_at  TIMESTAMPTZ NOT NULL,
    attached_at TIMESTAMPTZ,
    UNIQUE (import_id, row_number)
);
CREATE INDEX parked_results_waiting ON parked_results (email) WHERE attempt_id IS NULL;

-- A certification a candidate earned. Issued on the delivery day of the
-- pass in the program's time zone; expires at the end of expires_on
-- there. Status is derived when read from these dates and the clock.
CREATE TABLE user_certifications (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id),
    certification_id BIGINT NOT NULL REFERENCES certifications (id),
    attempt_id       BIGINT NOT NULL UNIQUE REFERENCES exam_attempts (id),
    cycle            INTEGER NOT NULL DEFAULT 1 CHECK (cycle >= 1),
    kind             TEXT NOT NULL CHECK (kind IN ('certification', 'microcredential')),
    validity_months  INTEGER NOT NULL CHECK (validity_months BETWEEN 1 AND 120),
    issued_on        TEXT NOT NULL,
    expires_on       TEXT NOT NULL,
    issued_at        TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    suspended_at     TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ,
    status_reason    TEXT NOT NULL DEFAULT '',
    withdrawn_at     TIMESTAMPTZ,
    superseded_by    BIGINT REFERENCES user_certifications (id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CHECK (expires_at > issued_at)
);
CREATE INDEX user_certifications_user ON user_certifications (user_id, certification_id);
CREATE INDEX user_certifications_expiry ON user_certifications (expires_at);

-- The voucher an official pass gives: one per earned certification and
-- cycle.
CREATE TABLE certification_vouchers (
    user_certification_id BIGINT NOT NULL REFERENCES user_certifications (id),
    cycle                 INTEGER NOT NULL CHECK (cycle >= 1),
    voucher_id            BIGINT NOT NULL UNIQUE REFERENCES vouchers (id),
    created_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_certification_id, cycle)
);

-- +goose Down
DROP TABLE certification_vouchers;
DROP TABLE user_certifications;
DROP TABLE parked_results;
DROP INDEX exam_attempts_booking;
DROP INDEX exam_attempts_user;
DROP INDEX exam_attempts_retake;
DROP INDEX exam_attempts_awaiting;
DROP INDEX exam_attempts_import;
ALTER TABLE exam_attempts
    DROP COLUMN exam_code, DROP COLUMN certification_id, DROP COLUMN passing_score, DROP COLUMN retake_wait_days,
    DROP COLUMN retake_from, DROP COLUMN domains, DROP COLUMN state, DROP COLUMN source, DROP COLUMN import_id,
    DROP COLUMN official_at, DROP COLUMN published_at, DROP COLUMN entered_by, DROP COLUMN confirmed_by,
    DROP COLUMN confirmed_at, DROP COLUMN held_at, DROP COLUMN held_by, DROP COLUMN hold_reason, DROP COLUMN updated_at,
    ALTER COLUMN passed DROP NOT NULL,
    ALTER COLUMN score DROP NOT NULL;
CREATE INDEX exam_attempts_user ON exam_attempts (user_id, exam_id, taken_at);
DROP TABLE result_import_rows;
DROP TABLE result_imports;
DROP TABLE certification_exams;
DROP TABLE certifications;
ALTER TABLE exams DROP COLUMN results_delay_days;
