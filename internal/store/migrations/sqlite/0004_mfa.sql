-- +goose Up
-- Second factors (SECURITY.md MFA-01..05). One row per account that ever
-- started enrolling. totp_secret and totp_pending are sealed with
-- AES-256-GCM under a key derived from the instance's secret key (never
-- the plaintext seed). totp_last_step is the last time step accepted: a
-- code is accepted only by raising it (compare-and-set), so each step works
-- once. failed_attempts counts consecutive wrong codes across sign-in flows
-- and resets only on success; locked_until pauses code entry.
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

-- Backup codes: only a salted HMAC of each code is kept. A code works once
-- (used_at is set by compare-and-set); regenerating deletes the old set.
CREATE TABLE backup_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    salt       BLOB NOT NULL,
    code_hash  BLOB NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX backup_codes_user ON backup_codes (user_id);

-- Codes sent by SMS, stored as an HMAC. A code belongs to one session (the
-- sign-in flow, or the signed-in session that asked to verify a number or
-- confirm a change). Rows outlive their session (session_id becomes NULL,
-- and the code with it unusable) because they are also the record the
-- per-number and per-account send caps count.
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
CREATE INDEX sms_codes_user ON sms_codes (user_id, created_at);
CREATE INDEX sms_codes_phone ON sms_codes (phone, created_at);
CREATE INDEX sms_codes_session ON sms_codes (session_id);

-- +goose Down
DROP TABLE sms_codes;
DROP TABLE backup_codes;
DROP TABLE user_mfa;
