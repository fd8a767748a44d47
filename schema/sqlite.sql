-- table app_settings
CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- table audit_log
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
, changes TEXT NOT NULL DEFAULT '');

-- table backup_codes
CREATE TABLE backup_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    salt       BLOB NOT NULL,
    code_hash  BLOB NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- table booking_moves
CREATE TABLE booking_moves (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id   INTEGER NOT NULL REFERENCES bookings (id),
    from_slot_id INTEGER NOT NULL REFERENCES slots (id),
    to_slot_id   INTEGER NOT NULL REFERENCES slots (id),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    free         INTEGER NOT NULL DEFAULT 0 CHECK (free IN (0, 1)),  -- caused by the center: not counted
    fee_minor    INTEGER NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
    currency     TEXT NOT NULL,
    payment_id   INTEGER UNIQUE REFERENCES payments (id),
    failure      TEXT NOT NULL DEFAULT '',
    actor_id     INTEGER REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    done_at      TIMESTAMP,
    CHECK ((fee_minor = 0) = (payment_id IS NULL))
);

-- table bookings
CREATE TABLE "bookings" (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    reference           TEXT NOT NULL UNIQUE,
    user_id             INTEGER NOT NULL REFERENCES users (id),
    exam_id             INTEGER NOT NULL REFERENCES exams (id),
    slot_id             INTEGER NOT NULL REFERENCES slots (id),
    state               TEXT NOT NULL CHECK (state IN ('held', 'pending', 'confirmed', 'cancelled', 'expired', 'no_show', 'delivered')),
    language            TEXT NOT NULL,
    hold_expires_at     TIMESTAMP,
    price_minor         INTEGER NOT NULL CHECK (price_minor >= 0),
    discount_minor      INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0 AND discount_minor <= price_minor),
    currency            TEXT NOT NULL,
    voucher_id          INTEGER REFERENCES vouchers (id),
    voucher_released_at TIMESTAMP,
    payment_id          INTEGER REFERENCES payments (id),
    policy              TEXT NOT NULL,
    reschedules         INTEGER NOT NULL DEFAULT 0 CHECK (reschedules >= 0),
    free_reschedule     INTEGER NOT NULL DEFAULT 0 CHECK (free_reschedule IN (0, 1)),
    rules_version       TEXT NOT NULL DEFAULT '',
    privacy_version     TEXT NOT NULL DEFAULT '',
    agreed_at           TIMESTAMP,
    system_checked_at   TIMESTAMP,
    confirmed_at        TIMESTAMP,
    cancelled_at        TIMESTAMP,
    cancelled_by        INTEGER REFERENCES users (id),
    cancel_reason       TEXT NOT NULL DEFAULT '',
    no_show_at          TIMESTAMP,
    no_show_kind        TEXT NOT NULL DEFAULT '' CHECK (no_show_kind IN ('', 'absent', 'late')),
    checked_in_at       TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    hold_ip             TEXT NOT NULL DEFAULT '',
    charged_minor       INTEGER NOT NULL DEFAULT 0 CHECK (charged_minor >= 0),
    delivered_at        TIMESTAMP,
    CHECK (state <> 'delivered' OR delivered_at IS NOT NULL)
);

-- table ce_activity_types
CREATE TABLE ce_activity_types (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- table ce_activity_versions
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

-- table ce_evidence
CREATE TABLE ce_evidence (
    submission_id INTEGER NOT NULL REFERENCES ce_submissions (id),
    upload_id     INTEGER NOT NULL UNIQUE REFERENCES uploads (id),
    added_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, upload_id)
);

-- table ce_ledger
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

-- table ce_renewal_flags
CREATE TABLE ce_renewal_flags (
    id            INTEGER PRIMARY KEY,
    renewal_id    INTEGER NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES ce_submissions (id),
    reason        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    resolved_at   TIMESTAMP
, resolution TEXT
    CHECK ((resolution IS NULL) = (resolved_at IS NULL) AND (resolution IS NULL OR resolution IN ('kept', 'credits_requested'))), resolution_note TEXT NOT NULL DEFAULT '', resolved_by INTEGER, credits_short INTEGER NOT NULL DEFAULT 0 CHECK (credits_short >= 0));

-- table ce_requirements
CREATE TABLE ce_requirements (
    certification_id INTEGER PRIMARY KEY REFERENCES certifications (id),
    spec             TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- table ce_submissions
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

-- table center_closures
CREATE TABLE center_closures (
    center_id  INTEGER NOT NULL REFERENCES test_centers (id) ON DELETE CASCADE,
    day        TEXT NOT NULL,                 -- YYYY-MM-DD, local
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (center_id, day)
);

-- table certification_exams
CREATE TABLE certification_exams (
    certification_id INTEGER NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
    exam_id          INTEGER NOT NULL REFERENCES exams (id),
    path             TEXT NOT NULL CHECK (path IN ('earn', 'renew')),
    PRIMARY KEY (certification_id, exam_id, path)
);

-- table certification_reminders
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

-- table certification_vouchers
CREATE TABLE certification_vouchers (
    user_certification_id INTEGER NOT NULL REFERENCES user_certifications (id),
    cycle                 INTEGER NOT NULL CHECK (cycle >= 1),
    voucher_id            INTEGER NOT NULL UNIQUE REFERENCES vouchers (id),
    created_at            TIMESTAMP NOT NULL,
    PRIMARY KEY (user_certification_id, cycle)
);

-- table certifications
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

-- table credential_directory
CREATE TABLE credential_directory (
    user_certification_id INTEGER PRIMARY KEY REFERENCES user_certifications (id),
    listed_at             TIMESTAMP NOT NULL
);

-- table credentials
CREATE TABLE credentials (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id         TEXT NOT NULL UNIQUE CHECK (length(credential_id) = 27),
    user_certification_id INTEGER NOT NULL REFERENCES user_certifications (id),
    cycle                 INTEGER NOT NULL CHECK (cycle >= 1),
    signing_key_id        INTEGER NOT NULL REFERENCES signing_keys (id),
    revocation_list_id    INTEGER NOT NULL REFERENCES status_lists (id),
    revocation_index      INTEGER NOT NULL,
    suspension_list_id    INTEGER NOT NULL REFERENCES status_lists (id),
    suspension_index      INTEGER NOT NULL,
    issued_at             TIMESTAMP NOT NULL,
    revoked_at            TIMESTAMP,
    revocation_reason     TEXT NOT NULL DEFAULT '' CHECK (revocation_reason IN ('', 'misconduct', 'issued_in_error', 'policy_violation', 'other')),
    suspended_at          TIMESTAMP,
    superseded_at         TIMESTAMP,
    superseded_by         INTEGER REFERENCES credentials (id),
    document_jsonld       TEXT NOT NULL DEFAULT '',
    document_jwt          TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL, subject_salt TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (revocation_list_id, revocation_index) REFERENCES status_list_entries (list_id, idx),
    FOREIGN KEY (suspension_list_id, suspension_index) REFERENCES status_list_entries (list_id, idx),
    UNIQUE (revocation_list_id, revocation_index),
    UNIQUE (suspension_list_id, suspension_index),
    CHECK ((revoked_at IS NULL) = (revocation_reason = '')),
    CHECK (superseded_by IS NULL OR superseded_at IS NOT NULL)
);

-- table dev_messages
CREATE TABLE dev_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
, attachments TEXT NOT NULL DEFAULT '[]');

-- table document_checks
CREATE TABLE "document_checks" (
    kind         TEXT NOT NULL CHECK (kind IN ('certificate', 'score_report', 'transcript', 'ce_transcript')),
    subject_id   INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    problem      TEXT NOT NULL,
    problem_data TEXT NOT NULL,
    checked_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject_id)
);

-- table document_files
CREATE TABLE document_files (
    document_id     INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    source_sha256   TEXT NOT NULL CHECK (length(source_sha256) = 64),
    document_key_id INTEGER NOT NULL REFERENCES document_keys (id),
    pdf             BLOB,
    pdf_sha256      TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- table document_keys
CREATE TABLE document_keys (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    source             TEXT NOT NULL CHECK (source IN ('operator', 'generated')),
    -- the DER certificates of the chain, concatenated, the signer's first
    certificates       BLOB NOT NULL CHECK (length(certificates) > 0),
    -- hex SHA-256 of the signer's DER certificate
    fingerprint        TEXT NOT NULL CHECK (length(fingerprint) = 64),
    private_key_sealed BLOB NOT NULL,
    not_after          TIMESTAMP NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    retired_at         TIMESTAMP
);

-- table documents
CREATE TABLE "documents" (
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

-- table due_work
CREATE TABLE due_work (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    args        TEXT NOT NULL,
    due_at      TIMESTAMP NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'fired', 'cancelled')),
    created_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    UNIQUE (kind, key)
);

-- table event_counter
CREATE TABLE event_counter (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    last_id INTEGER NOT NULL
);

-- table events
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

-- table exam_attempts
CREATE TABLE "exam_attempts" (
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

-- table exam_domains
CREATE TABLE exam_domains (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    exam_id        INTEGER NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    weight_percent INTEGER NOT NULL CHECK (weight_percent BETWEEN 1 AND 100),
    UNIQUE (exam_id, position)
);

-- table exams
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
, reschedule_fee_minor INTEGER NOT NULL DEFAULT 0 CHECK (reschedule_fee_minor >= 0), results_delay_days INTEGER NOT NULL DEFAULT 5 CHECK (results_delay_days BETWEEN 0 AND 60));

-- table hold_addresses
CREATE TABLE hold_addresses (
    address      TEXT PRIMARY KEY,
    last_hold_at TIMESTAMP NOT NULL
);

-- table idempotency_keys
CREATE TABLE "idempotency_keys" (
    scope        TEXT NOT NULL CHECK (scope <> ''),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);

-- table job_outbox
CREATE TABLE job_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    args         TEXT NOT NULL,
    unique_key   TEXT UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    forwarded_at TIMESTAMP
);

-- table parked_results
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

-- table payments
CREATE TABLE payments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    reference     TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    provider      TEXT NOT NULL CHECK (provider IN ('test', 'stripe', 'voucher')),
    state         TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'cancelled')),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency      TEXT NOT NULL,
    provider_ref  TEXT NOT NULL DEFAULT '',
    failure       TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    succeeded_at  TIMESTAMP
, purpose TEXT NOT NULL DEFAULT 'booking' CHECK (purpose IN ('booking', 'reschedule_fee')));

-- table rate_limits
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- table refunds
CREATE TABLE "refunds" (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id   INTEGER NOT NULL REFERENCES bookings (id),
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('requested', 'succeeded', 'failed')),
    provider_ref TEXT NOT NULL DEFAULT '',
    failure      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (booking_id, payment_id)
);

-- table renewals
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

-- table result_import_rows
CREATE TABLE result_import_rows (
    import_id  INTEGER NOT NULL REFERENCES result_imports (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    data       TEXT NOT NULL,
    problem    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row_number)
);

-- table result_imports
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

-- table sessions
CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash       BLOB NOT NULL UNIQUE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state            TEXT NOT NULL CHECK (state IN ('active', 'mfa_pending')),
    ip               TEXT NOT NULL DEFAULT '',
    user_agent       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    authenticated_at TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL
);

-- table signin_lockouts
CREATE TABLE signin_lockouts (
    identifier     TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL DEFAULT 0,
    locked_until   TIMESTAMP,
    last_locked_at TIMESTAMP,
    updated_at     TIMESTAMP NOT NULL
);

-- table signing_keys
CREATE TABLE signing_keys (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    number             INTEGER NOT NULL UNIQUE CHECK (number >= 1),
    algorithm          TEXT NOT NULL CHECK (algorithm = 'Ed25519'),
    public_key         BLOB NOT NULL CHECK (length(public_key) = 32),
    private_key_sealed BLOB NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    retired_at         TIMESTAMP
);

-- table slots
CREATE TABLE slots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    center_id  INTEGER REFERENCES test_centers (id),
    starts_at  TIMESTAMP NOT NULL,
    session    TEXT NOT NULL CHECK (session IN ('morning', 'afternoon', 'evening', 'online')),
    capacity   INTEGER NOT NULL CHECK (capacity >= 0),
    taken      INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= capacity),
    closed_at  TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CHECK ((center_id IS NULL) = (session = 'online'))
);

-- table sms_codes
CREATE TABLE sms_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_phone', 'signin', 'confirm')),
    session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    phone      TEXT NOT NULL,
    code_hash  BLOB NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- table staff_permission_sets
CREATE TABLE staff_permission_sets (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    set_name   TEXT NOT NULL CHECK (set_name IN ('admin', 'scheduler', 'support', 'results_officer', 'credential_officer', 'ce_reviewer')),
    granted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, set_name)
);

-- table status_list_entries
CREATE TABLE status_list_entries (
    list_id    INTEGER NOT NULL REFERENCES status_lists (id),
    idx        INTEGER NOT NULL CHECK (idx >= 0),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (list_id, idx)
);

-- table status_lists
CREATE TABLE status_lists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose    TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    number     INTEGER NOT NULL CHECK (number >= 1),
    size       INTEGER NOT NULL CHECK (size >= 131072 AND size % 8 = 0),
    bits       BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (purpose, number)
);

-- table test_centers
CREATE TABLE test_centers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL,
    region        TEXT NOT NULL DEFAULT '',
    postal_code   TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL,
    latitude      REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude     REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    time_zone     TEXT NOT NULL,
    seats         INTEGER NOT NULL CHECK (seats BETWEEN 1 AND 500),
    hours         TEXT NOT NULL,               -- e.g. "mon-fri 08:00-21:00; sat 09:00-17:00"
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- table uploads
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    purpose      TEXT NOT NULL CHECK (purpose IN ('ce_evidence')),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    blob_key     TEXT NOT NULL UNIQUE,
    scan_status  TEXT NOT NULL CHECK (scan_status IN ('pending', 'clean', 'quarantined', 'unscanned')),
    scan_detail  TEXT NOT NULL DEFAULT '',
    scanned_at   TIMESTAMP,
    attached_at  TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);

-- table user_certifications
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

-- table user_mfa
CREATE TABLE user_mfa (
    user_id                 INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    totp_secret             BLOB,
    totp_enabled_at         TIMESTAMP,
    totp_pending            BLOB,
    totp_pending_expires_at TIMESTAMP,
    totp_last_step          INTEGER NOT NULL DEFAULT 0,
    phone                   TEXT NOT NULL DEFAULT '',
    phone_verified_at       TIMESTAMP,
    sms_enabled_at          TIMESTAMP,
    failed_attempts         INTEGER NOT NULL DEFAULT 0,
    locked_until            TIMESTAMP,
    updated_at              TIMESTAMP NOT NULL,
    CHECK ((totp_secret IS NULL) = (totp_enabled_at IS NULL)),
    CHECK (sms_enabled_at IS NULL OR phone <> '')
);

-- table user_tokens
CREATE TABLE user_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    sent_to     TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);

-- table users
CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    login_id          TEXT NOT NULL UNIQUE,
    email             TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('candidate', 'staff', 'admin')),
    language          TEXT NOT NULL DEFAULT 'en',
    password_hash     TEXT NOT NULL DEFAULT '',
    email_verified_at TIMESTAMP,
    disabled_at       TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
, country TEXT NOT NULL DEFAULT '', region TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', address_line1 TEXT NOT NULL DEFAULT '', address_line2 TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', postal_code TEXT NOT NULL DEFAULT '', company TEXT NOT NULL DEFAULT '', company_address TEXT NOT NULL DEFAULT '', job_role TEXT NOT NULL DEFAULT '', industry TEXT NOT NULL DEFAULT '', news_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (news_opt_in IN (0, 1)), legal_name_locked_at TIMESTAMP, password_changed_at TIMESTAMP, time_zone TEXT NOT NULL DEFAULT '', distance_unit TEXT NOT NULL DEFAULT 'mi' CHECK (distance_unit IN ('mi', 'km')));

-- table vouchers
CREATE TABLE vouchers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT NOT NULL UNIQUE,
    percent       INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100),  -- 100 = full value
    exam_codes    TEXT NOT NULL DEFAULT '',    -- comma-separated; empty = any exam
    max_uses      INTEGER NOT NULL CHECK (max_uses >= 1),
    uses          INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at    TIMESTAMP NOT NULL,
    owner_user_id INTEGER REFERENCES users (id),  -- issued to one candidate only
    note          TEXT NOT NULL DEFAULT '',
    disabled_at   TIMESTAMP,
    created_by    INTEGER REFERENCES users (id),
    created_at    TIMESTAMP NOT NULL
);

-- table webhook_events
CREATE TABLE webhook_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- index audit_log_action
CREATE INDEX audit_log_action ON audit_log (action, created_at);

-- index audit_log_actor
CREATE INDEX audit_log_actor ON audit_log (actor_id, created_at);

-- index audit_log_created
CREATE INDEX audit_log_created ON audit_log (created_at);

-- index backup_codes_user
CREATE INDEX backup_codes_user ON backup_codes (user_id);

-- index booking_moves_booking
CREATE INDEX booking_moves_booking ON booking_moves (booking_id, created_at);

-- index booking_moves_one_pending
CREATE UNIQUE INDEX booking_moves_one_pending ON booking_moves (booking_id) WHERE state = 'pending';

-- index bookings_confirmed_slot
CREATE INDEX bookings_confirmed_slot ON bookings (slot_id) WHERE state = 'confirmed';

-- index bookings_hold_expiry
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE state IN ('held', 'pending');

-- index bookings_one_live
CREATE UNIQUE INDEX bookings_one_live ON bookings (user_id, exam_id) WHERE state IN ('held', 'pending', 'confirmed');

-- index bookings_payment
CREATE INDEX bookings_payment ON bookings (payment_id);

-- index bookings_slot
CREATE INDEX bookings_slot ON bookings (slot_id, state);

-- index bookings_unpaid_ip
CREATE INDEX bookings_unpaid_ip ON bookings (hold_ip) WHERE state IN ('held', 'pending');

-- index bookings_user
CREATE INDEX bookings_user ON bookings (user_id, state);

-- index ce_ledger_credit
CREATE UNIQUE INDEX ce_ledger_credit ON ce_ledger (submission_id, user_certification_id, decision) WHERE kind = 'credit';

-- index ce_ledger_user
CREATE INDEX ce_ledger_user ON ce_ledger (user_id, user_certification_id);

-- index ce_renewal_flags_open
CREATE INDEX ce_renewal_flags_open ON ce_renewal_flags (created_at) WHERE resolved_at IS NULL;

-- index ce_renewal_flags_renewal
CREATE INDEX ce_renewal_flags_renewal ON ce_renewal_flags (renewal_id);

-- index ce_submissions_duplicate
CREATE INDEX ce_submissions_duplicate ON ce_submissions (user_id, type_id, completed_on);

-- index ce_submissions_queue
CREATE INDEX ce_submissions_queue ON ce_submissions (submitted_at, id) WHERE state IN ('pending', 'info', 'appealed');

-- index ce_submissions_queue_assignee
CREATE INDEX ce_submissions_queue_assignee ON ce_submissions (assignee_id, submitted_at, id) WHERE state IN ('pending', 'info', 'appealed');

-- index ce_submissions_queue_flagged
CREATE INDEX ce_submissions_queue_flagged ON ce_submissions (submitted_at, id) WHERE flagged AND state IN ('pending', 'info', 'appealed');

-- index ce_submissions_queue_target
CREATE INDEX ce_submissions_queue_target ON ce_submissions (target_on) WHERE state IN ('pending', 'appealed');

-- index ce_submissions_queue_type
CREATE INDEX ce_submissions_queue_type ON ce_submissions (type_id, submitted_at, id) WHERE state IN ('pending', 'info', 'appealed');

-- index ce_submissions_user
CREATE INDEX ce_submissions_user ON ce_submissions (user_id, created_at);

-- index certification_exams_earn
CREATE UNIQUE INDEX certification_exams_earn ON certification_exams (exam_id) WHERE path = 'earn';

-- index credentials_certification
CREATE INDEX credentials_certification ON credentials (user_certification_id);

-- index credentials_current
CREATE UNIQUE INDEX credentials_current ON credentials (user_certification_id, cycle) WHERE superseded_at IS NULL;

-- index credentials_unsigned
CREATE INDEX credentials_unsigned ON credentials (id) WHERE document_jsonld = '';

-- index document_checks_user
CREATE INDEX document_checks_user ON document_checks (user_id);

-- index document_files_key
CREATE INDEX document_files_key ON document_files (document_key_id);

-- index document_keys_current
CREATE UNIQUE INDEX document_keys_current ON document_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- index documents_user
CREATE INDEX documents_user ON documents (user_id);

-- index due_work_finished
CREATE INDEX due_work_finished ON due_work (finished_at) WHERE state <> 'pending';

-- index due_work_pending
CREATE INDEX due_work_pending ON due_work (due_at) WHERE state = 'pending';

-- index events_created
CREATE INDEX events_created ON events (created_at);

-- index events_subject
CREATE INDEX events_subject ON events (subject_kind, subject_id, id);

-- index events_type
CREATE INDEX events_type ON events (type, id);

-- index exam_attempts_awaiting
CREATE INDEX exam_attempts_awaiting ON exam_attempts (state, created_at) WHERE state IN ('entered', 'held');

-- index exam_attempts_booking
CREATE UNIQUE INDEX exam_attempts_booking ON exam_attempts (booking_id) WHERE booking_id IS NOT NULL;

-- index exam_attempts_import
CREATE INDEX exam_attempts_import ON exam_attempts (import_id) WHERE import_id IS NOT NULL;

-- index exam_attempts_retake
CREATE INDEX exam_attempts_retake ON exam_attempts (user_id, certification_id, retake_from) WHERE passed = 0;

-- index exam_attempts_user
CREATE INDEX exam_attempts_user ON exam_attempts (user_id, taken_at);

-- index hold_addresses_last_hold
CREATE INDEX hold_addresses_last_hold ON hold_addresses (last_hold_at);

-- index idempotency_keys_created
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- index job_outbox_pending
CREATE INDEX job_outbox_pending ON job_outbox (id) WHERE forwarded_at IS NULL;

-- index parked_results_waiting
CREATE INDEX parked_results_waiting ON parked_results (email) WHERE attempt_id IS NULL;

-- index payments_pending
CREATE INDEX payments_pending ON payments (created_at) WHERE state = 'pending';

-- index payments_provider_ref
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref) WHERE provider_ref <> '';

-- index payments_user
CREATE INDEX payments_user ON payments (user_id, created_at);

-- index rate_limits_window
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- index refunds_payment
CREATE INDEX refunds_payment ON refunds (payment_id);

-- index renewals_user
CREATE INDEX renewals_user ON renewals (user_id);

-- index result_imports_applied
CREATE UNIQUE INDEX result_imports_applied ON result_imports (content_hash) WHERE state IN ('applying', 'applied');

-- index result_imports_recent
CREATE INDEX result_imports_recent ON result_imports (created_at);

-- index sessions_user
CREATE INDEX sessions_user ON sessions (user_id);

-- index signing_keys_current
CREATE UNIQUE INDEX signing_keys_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- index slots_center_start
CREATE UNIQUE INDEX slots_center_start ON slots (center_id, starts_at) WHERE center_id IS NOT NULL;

-- index slots_online_start
CREATE UNIQUE INDEX slots_online_start ON slots (starts_at) WHERE center_id IS NULL;

-- index sms_codes_phone
CREATE INDEX sms_codes_phone ON sms_codes (phone, created_at);

-- index sms_codes_session
CREATE INDEX sms_codes_session ON sms_codes (session_id);

-- index sms_codes_user
CREATE INDEX sms_codes_user ON sms_codes (user_id, created_at);

-- index staff_permission_sets_set
CREATE INDEX staff_permission_sets_set ON staff_permission_sets (set_name, user_id);

-- index test_centers_country
CREATE INDEX test_centers_country ON test_centers (country);

-- index uploads_owner
CREATE INDEX uploads_owner ON uploads (owner_id, created_at);

-- index uploads_pending
CREATE INDEX uploads_pending ON uploads (scan_status) WHERE scan_status = 'pending';

-- index uploads_sha256
CREATE INDEX uploads_sha256 ON uploads (sha256);

-- index uploads_unattached
CREATE INDEX uploads_unattached ON uploads (created_at) WHERE attached_at IS NULL;

-- index user_certifications_expiry
CREATE INDEX user_certifications_expiry ON user_certifications (expires_at);

-- index user_certifications_user
CREATE INDEX user_certifications_user ON user_certifications (user_id, certification_id);

-- index user_tokens_user_purpose
CREATE INDEX user_tokens_user_purpose ON user_tokens (user_id, purpose);

-- index vouchers_owner
CREATE INDEX vouchers_owner ON vouchers (owner_user_id) WHERE owner_user_id IS NOT NULL;

