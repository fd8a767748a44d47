-- +goose Up
-- Continuing education: the activity catalogue (types and their versioned
-- rules), the requirement per certification, submissions with their
-- evidence, and the append-only credit ledger. Credits are integers in
-- hundredths of a credit. Dates of completion and decision targets are days
-- of the program's calendar (YYYY-MM-DD); instants are UTC.

-- An activity type. Its rules live in versions; current_version is the one
-- new submissions are made under.
CREATE TABLE ce_activity_types (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- One version of a type's rules; an edit writes a new version, and a
-- submission keeps the version it was made under. texts is a JSON object
-- {lang: {name, description}} with English required. rule is per_unit
-- (unit_minutes 60 or 15, per_unit credits per whole unit), range (min..max)
-- or fixed (min = max). cap_activity (0: none) caps one activity, cap_cycle
-- (0: none) the type's credits in one certification cycle. required_fields
-- lists the optional form fields the type makes required (provider, url,
-- duration, notes), comma-separated. counts_for is all, levels (the levels
-- listed) or list (the certification codes listed).
CREATE TABLE ce_activity_versions (
    id              INTEGER PRIMARY KEY,
    type_id         INTEGER NOT NULL REFERENCES ce_activity_types (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    grp             TEXT NOT NULL CHECK (grp IN ('official', 'recognised', 'other')),
    texts           TEXT NOT NULL,
    rule            TEXT NOT NULL CHECK (rule IN ('per_unit', 'range', 'fixed')),
    unit_minutes    INTEGER NOT NULL CHECK (unit_minutes IN (0, 15, 60)),
    per_unit        INTEGER NOT NULL CHECK (per_unit >= 0),
    min_credits     INTEGER NOT NULL CHECK (min_credits >= 0),
    max_credits     INTEGER NOT NULL CHECK (max_credits >= min_credits),
    cap_activity    INTEGER NOT NULL CHECK (cap_activity >= 0),
    cap_cycle       INTEGER NOT NULL CHECK (cap_cycle >= 0),
    required_fields TEXT NOT NULL DEFAULT '',
    min_evidence    INTEGER NOT NULL CHECK (min_evidence BETWEEN 0 AND 5),
    attestation     BOOLEAN NOT NULL DEFAULT FALSE,
    counts_for      TEXT NOT NULL CHECK (counts_for IN ('all', 'levels', 'list')),
    counts_list     TEXT NOT NULL DEFAULT '',
    active_from     TEXT,
    active_until    TEXT,
    deadline_days   INTEGER NOT NULL CHECK (deadline_days BETWEEN 1 AND 3650),
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (type_id, version)
);

-- What a certification's holders must reach within a cycle: a JSON list of
-- alternatives, each a set of conditions (docs/continuing-education.md).
-- A certification without a row takes the default (100 credits).
CREATE TABLE ce_requirements (
    certification_id INTEGER PRIMARY KEY REFERENCES certifications (id),
    spec             TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- A candidate's activity. state: draft (kept, not sent), pending (in the
-- queue), info (more information asked; the target clock paused), approved,
-- partial, denied, withdrawn; appealed is a denial under appeal. claimed is
-- what the rule gives for what the candidate stated, granted what the
-- reviewer decided (after the rule's range and caps). decisions counts the
-- decisions made, so that ledger rows of each one stay apart. decided_role
-- is how the candidate's history names who decided: by role, never by name.
CREATE TABLE ce_submissions (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    type_id          INTEGER NOT NULL REFERENCES ce_activity_types (id),
    version_id       INTEGER NOT NULL REFERENCES ce_activity_versions (id),
    state            TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'info', 'approved', 'partial', 'denied', 'appealed', 'withdrawn')),
    title            TEXT NOT NULL,
    provider         TEXT NOT NULL DEFAULT '',
    completed_on     TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
    url              TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '',
    attested         BOOLEAN NOT NULL DEFAULT FALSE,
    claimed          INTEGER NOT NULL CHECK (claimed >= 0),
    granted          INTEGER NOT NULL DEFAULT 0 CHECK (granted >= 0),
    certification_id INTEGER REFERENCES certifications (id),
    flagged          BOOLEAN NOT NULL DEFAULT FALSE,
    assignee_id      INTEGER REFERENCES users (id),
    reason_code      TEXT NOT NULL DEFAULT '',
    reason_text      TEXT NOT NULL DEFAULT '',
    target_on        TEXT,
    paused_at        TIMESTAMP,
    submitted_at     TIMESTAMP,
    decided_at       TIMESTAMP,
    decided_by       INTEGER REFERENCES users (id),
    decided_role     TEXT NOT NULL DEFAULT '' CHECK (decided_role IN ('', 'reviewer', 'admin', 'system')),
    decisions        INTEGER NOT NULL DEFAULT 0,
    denied_by        INTEGER REFERENCES users (id),
    appeal_comment   TEXT NOT NULL DEFAULT '',
    appealed_at      TIMESTAMP,
    reversed_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX ce_submissions_user ON ce_submissions (user_id, created_at);
-- The review queue, oldest first, paged by (submitted_at, id).
CREATE INDEX ce_submissions_queue ON ce_submissions (submitted_at, id) WHERE state IN ('pending', 'info', 'appealed');
CREATE INDEX ce_submissions_queue_type ON ce_submissions (type_id, submitted_at, id) WHERE state IN ('pending', 'info', 'appealed');
CREATE INDEX ce_submissions_queue_assignee ON ce_submissions (assignee_id, submitted_at, id) WHERE state IN ('pending', 'info', 'appealed');
-- Flagged submissions are few: their queue has an index of its own.
CREATE INDEX ce_submissions_queue_flagged ON ce_submissions (submitted_at, id) WHERE flagged AND state IN ('pending', 'info', 'appealed');
CREATE INDEX ce_submissions_duplicate ON ce_submissions (user_id, type_id, completed_on);

-- The uploads given as a submission's evidence; an upload is evidence of
-- one submission at most (upload_id is unique).
CREATE TABLE ce_evidence (
    submission_id INTEGER NOT NULL REFERENCES ce_submissions (id),
    upload_id     INTEGER NOT NULL UNIQUE REFERENCES uploads (id),
    added_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, upload_id)
);

-- The credit ledger, append-only, per candidate and earned certification.
-- credit rows add what a decision granted toward one certification (after
-- its caps), reversal rows take back one credit row (reverses_id), and
-- consumption rows record that a renewal used one credit row (consumes_id,
-- unique: a credit is consumed once). renewal_id names the renewal (issue
-- 17's table), without a foreign key until that table exists.
CREATE TABLE ce_ledger (
    id                    INTEGER PRIMARY KEY,
    user_id               INTEGER NOT NULL REFERENCES users (id),
    user_certification_id INTEGER NOT NULL REFERENCES user_certifications (id),
    submission_id         INTEGER NOT NULL REFERENCES ce_submissions (id),
    type_id               INTEGER NOT NULL REFERENCES ce_activity_types (id),
    kind                  TEXT NOT NULL CHECK (kind IN ('credit', 'reversal', 'consumption')),
    decision              INTEGER NOT NULL,
    credits               INTEGER NOT NULL CHECK (credits >= 0),
    completed_on          TEXT NOT NULL,
    reverses_id           INTEGER UNIQUE REFERENCES ce_ledger (id),
    consumes_id           INTEGER UNIQUE REFERENCES ce_ledger (id),
    renewal_id            INTEGER,
    created_at            TIMESTAMP NOT NULL,
    CHECK ((kind = 'credit') = (reverses_id IS NULL AND consumes_id IS NULL)),
    CHECK (kind <> 'reversal' OR reverses_id IS NOT NULL),
    CHECK (kind <> 'consumption' OR (consumes_id IS NOT NULL AND renewal_id IS NOT NULL))
);
CREATE UNIQUE INDEX ce_ledger_credit ON ce_ledger (submission_id, user_certification_id, decision) WHERE kind = 'credit';
CREATE INDEX ce_ledger_user ON ce_ledger (user_id, user_certification_id);

-- A renewal that used credits a reversal took back, for an admin to review:
-- a reversal never undoes a renewal by itself.
CREATE TABLE ce_renewal_flags (
    id            INTEGER PRIMARY KEY,
    renewal_id    INTEGER NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES ce_submissions (id),
    reason        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    resolved_at   TIMESTAMP
);

-- +goose Down
DROP TABLE ce_renewal_flags;
DROP TABLE ce_ledger;
DROP TABLE ce_evidence;
DROP TABLE ce_submissions;
DROP TABLE ce_requirements;
DROP TABLE ce_activity_versions;
DROP TABLE ce_activity_types;
