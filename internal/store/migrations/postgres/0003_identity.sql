-- +goose Up
-- Profile: contact, address, company and preferences. The legal name is
-- first_name/last_name; legal_name_locked_at is set when the first exam is
-- on record, after which only support may change it.
ALTER TABLE users ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN address_line1 TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN address_line2 TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN company TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN company_address TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN job_role TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN industry TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN news_opt_in BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN legal_name_locked_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMPTZ;

-- Sign-in failures per normalised identifier (also for addresses without an
-- account, so the answers do not differ), and the temporary lock.
CREATE TABLE signin_lockouts (
    identifier     TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL DEFAULT 0,
    locked_until   TIMESTAMPTZ,
    last_locked_at TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- Fixed-window rate-limit counters, shared by every instance.
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE signin_lockouts;
ALTER TABLE users DROP COLUMN password_changed_at;
ALTER TABLE users DROP COLUMN legal_name_locked_at;
ALTER TABLE users DROP COLUMN news_opt_in;
ALTER TABLE users DROP COLUMN industry;
ALTER TABLE users DROP COLUMN job_role;
ALTER TABLE users DROP COLUMN company_address;
ALTER TABLE users DROP COLUMN company;
ALTER TABLE users DROP COLUMN postal_code;
ALTER TABLE users DROP COLUMN city;
ALTER TABLE users DROP COLUMN address_line2;
ALTER TABLE users DROP COLUMN address_line1;
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN region;
ALTER TABLE users DROP COLUMN country;
