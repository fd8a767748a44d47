-- +goose Up
-- The exam catalog. Money is in integer minor units of currency.
CREATE TABLE exams (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    level             TEXT NOT NULL CHECK (level IN ('foundational', 'associate', 'professional', 'specialty')),
    kind              TEXT NOT NULL CHECK (kind IN ('exam', 'microcredential')),
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    languages         TEXT NOT NULL,             -- comma-separated BCP 47 tags
    delivery          TEXT NOT NULL,             -- comma-separated: test_center, online
    price_minor       INTEGER NOT NULL CHECK (price_minor >= 0),
    currency          TEXT NOT NULL,
    passing_score     INTEGER NOT NULL CHECK (passing_score BETWEEN 100 AND 1000),
    retake_wait_days  INTEGER NOT NULL CHECK (retake_wait_days >= 0),
    max_reschedules   INTEGER NOT NULL CHECK (max_reschedules >= 0),
    validity_months   INTEGER NOT NULL CHECK (validity_months > 0),
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

CREATE TABLE exam_domains (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id        INTEGER NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    weight_percent INTEGER NOT NULL CHECK (weight_percent BETWEEN 1 AND 100),
    UNIQUE (exam_id, position)
);

-- +goose Down
DROP TABLE exam_domains;
DROP TABLE exams;
