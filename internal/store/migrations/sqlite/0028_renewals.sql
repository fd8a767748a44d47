-- +goose Up
-- Renewals of earned certifications. A renewal closes one cycle of a
-- certification (user_certification_id, cycle: unique, so a cycle renews
-- once whatever the engine or the number of instances) and extends the
-- certification: the next period starts at the old expiry and lasts one
-- validity. cause is what met the requirement: approved credits (the
-- decision of submission_id) or an exam pass (attempt_id). The old period
-- is kept here: the certification's row holds only the current one.
CREATE TABLE renewals (
    id                    INTEGER PRIMARY KEY,
    user_certification_id INTEGER NOT NULL REFERENCES user_certifications (id),
    cycle                 INTEGER NOT NULL CHECK (cycle >= 1),
    user_id               INTEGER NOT NULL REFERENCES users (id),
    cause                 TEXT NOT NULL CHECK (cause IN ('credits', 'exam')),
    submission_id         INTEGER REFERENCES ce_submissions (id),
    attempt_id            INTEGER REFERENCES exam_attempts (id),
    old_issued_on         TEXT NOT NULL,
    old_expires_on        TEXT NOT NULL,
    old_issued_at         TIMESTAMP NOT NULL,
    old_expires_at        TIMESTAMP NOT NULL,
    new_issued_on         TEXT NOT NULL,
    new_expires_on        TEXT NOT NULL,
    new_expires_at        TIMESTAMP NOT NULL,
    credits_consumed      INTEGER NOT NULL DEFAULT 0 CHECK (credits_consumed >= 0),
    credits_carried       INTEGER NOT NULL DEFAULT 0 CHECK (credits_carried >= 0),
    created_at            TIMESTAMP NOT NULL,
    UNIQUE (user_certification_id, cycle),
    CHECK ((cause = 'credits') = (submission_id IS NOT NULL)),
    CHECK ((cause = 'exam') = (attempt_id IS NOT NULL)),
    CHECK (new_expires_at > old_expires_at)
);
CREATE INDEX renewals_user ON renewals (user_id);
CREATE INDEX ce_renewal_flags_renewal ON ce_renewal_flags (renewal_id);

-- +goose Down
DROP INDEX ce_renewal_flags_renewal;
DROP TABLE renewals;
