-- +goose Up
-- Scheduling: test centers, bookable slots, bookings with their payments,
-- refunds and vouchers. Money is in integer minor units; every instant is
-- UTC and local dates are computed from a center's IANA time zone.

-- Where the candidate is: the time zone online times are shown in and the
-- unit distances are shown in.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN distance_unit TEXT NOT NULL DEFAULT 'mi' CHECK (distance_unit IN ('mi', 'km'));

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
CREATE INDEX test_centers_country ON test_centers (country);

-- Days a center is closed, in its local calendar.
CREATE TABLE center_closures (
    center_id  INTEGER NOT NULL REFERENCES test_centers (id) ON DELETE CASCADE,
    day        TEXT NOT NULL,                 -- YYYY-MM-DD, local
    reason     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (center_id, day)
);

-- A bookable start: a session at a center, or an online start time (center
-- NULL). taken counts the seats of live bookings (held, pending,
-- confirmed); the CHECK makes overselling impossible whatever the code does.
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
CREATE UNIQUE INDEX slots_center_start ON slots (center_id, starts_at) WHERE center_id IS NOT NULL;
CREATE UNIQUE INDEX slots_online_start ON slots (starts_at) WHERE center_id IS NULL;

-- Vouchers and discount codes. uses counts the bookings holding the code
-- now; a booking cancelled in time, or a hold that expires, gives it back.
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

-- One checkout: the amount charged for one or more bookings.
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
);
CREATE INDEX payments_user ON payments (user_id, created_at);
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref) WHERE provider_ref <> '';

-- A seat for one candidate and exam. held → pending → confirmed →
-- cancelled or no_show; held or pending → expired. policy is the refund
-- policy in force at purchase (JSON), kept with the booking.
CREATE TABLE bookings (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    reference           TEXT NOT NULL UNIQUE,
    user_id             INTEGER NOT NULL REFERENCES users (id),
    exam_id             INTEGER NOT NULL REFERENCES exams (id),
    slot_id             INTEGER NOT NULL REFERENCES slots (id),
    state               TEXT NOT NULL CHECK (state IN ('held', 'pending', 'confirmed', 'cancelled', 'expired', 'no_show')),
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
    updated_at          TIMESTAMP NOT NULL
);
-- One live booking per candidate and exam.
CREATE UNIQUE INDEX bookings_one_live ON bookings (user_id, exam_id) WHERE state IN ('held', 'pending', 'confirmed');
CREATE INDEX bookings_user ON bookings (user_id, state);
CREATE INDEX bookings_slot ON bookings (slot_id, state);
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE state IN ('held', 'pending');
CREATE INDEX bookings_payment ON bookings (payment_id);

-- One refund per booking, executed once through the provider with an
-- idempotency key derived from its id.
CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_id   INTEGER NOT NULL UNIQUE REFERENCES bookings (id),
    payment_id   INTEGER NOT NULL REFERENCES payments (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('requested', 'succeeded', 'failed')),
    provider_ref TEXT NOT NULL DEFAULT '',
    failure      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Exam attempts: the history the retake rule reads. Results fill passed.
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

-- Idempotency keys of hold, payment and refund requests, per user.
-- response is empty while the first request is in flight.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Payment-provider events already processed, inserted in the transaction
-- that applies them.
CREATE TABLE webhook_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- +goose Down
DROP TABLE webhook_events;
DROP TABLE idempotency_keys;
DROP TABLE exam_attempts;
DROP TABLE refunds;
DROP TABLE bookings;
DROP TABLE payments;
DROP TABLE vouchers;
DROP TABLE slots;
DROP TABLE center_closures;
DROP TABLE test_centers;
ALTER TABLE users DROP COLUMN distance_unit;
ALTER TABLE users DROP COLUMN time_zone;
