-- +goose Up
CREATE TABLE users (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login_id          TEXT NOT NULL UNIQUE,
    email             TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('candidate', 'staff', 'admin')),
    language          TEXT NOT NULL DEFAULT 'en',
    password_hash     TEXT NOT NULL DEFAULT '',
    email_verified_at TIMESTAMPTZ,
    disabled_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- One-time tokens sent by mail (admin setup, email verification, password
-- reset, email change). Only a SHA-256 hash of the token is stored.
CREATE TABLE user_tokens (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    sent_to     TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_tokens_user_purpose ON user_tokens (user_id, purpose);

-- Server-side sessions, shared by every instance. Only a hash of the cookie
-- value is stored.
CREATE TABLE sessions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash       BYTEA NOT NULL UNIQUE,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state            TEXT NOT NULL CHECK (state IN ('active', 'mfa_pending')),
    ip               TEXT NOT NULL DEFAULT '',
    user_agent       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    authenticated_at TIMESTAMPTZ NOT NULL,
    last_seen_at     TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_action ON audit_log (action, created_at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, created_at);

-- Transactional outbox: a job is written here in the same transaction as
-- the change that causes it; a relay forwards committed rows to River.
CREATE TABLE job_outbox (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    args         TEXT NOT NULL,
    unique_key   TEXT UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    forwarded_at TIMESTAMPTZ
);
CREATE INDEX job_outbox_pending ON job_outbox (id) WHERE forwarded_at IS NULL;

-- Development mailbox: mail and SMS when no SMTP server or SMS provider is
-- configured (--dev and --demo only).
CREATE TABLE dev_messages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE app_settings;
DROP TABLE dev_messages;
DROP TABLE job_outbox;
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE user_tokens;
DROP TABLE users;
