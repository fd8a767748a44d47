-- +goose NO TRANSACTION
-- +goose Up
-- A booking after its exam: delivered (a check-in or a result proves the
-- candidate sat it) or no_show. Neither holds a seat, so the candidate may
-- book the exam again. delivered_at is when the booking was settled as
-- delivered.
--
-- SQLite cannot alter a CHECK, so the table is rebuilt the documented way
-- (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys
-- off outside the transaction (the pragma is a no-op inside one), create
-- the new table, copy every row with its id, carry the AUTOINCREMENT
-- counter over, drop the old table, rename the new one, recreate every
-- index (bookings has no triggers or views), check the foreign keys of
-- every table, commit, foreign keys on. The rows of refunds, booking_moves,
-- exam_attempts and the other tables that reference bookings keep pointing
-- at the same ids. The check makes the migration fail, before it commits,
-- if any reference were left dangling.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE new_bookings (
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
INSERT INTO new_bookings (id, reference, user_id, exam_id, slot_id, state, language, hold_expires_at, price_minor, discount_minor, currency, voucher_id, voucher_released_at, payment_id, policy, reschedules, free_reschedule, rules_version, privacy_version, agreed_at, system_checked_at, confirmed_at, cancelled_at, cancelled_by, cancel_reason, no_show_at, no_show_kind, checked_in_at, created_at, updated_at, hold_ip, charged_minor)
    SELECT id, reference, user_id, exam_id, slot_id, state, language, hold_expires_at, price_minor, discount_minor, currency, voucher_id, voucher_released_at, payment_id, policy, reschedules, free_reschedule, rules_version, privacy_version, agreed_at, system_checked_at, confirmed_at, cancelled_at, cancelled_by, cancel_reason, no_show_at, no_show_kind, checked_in_at, created_at, updated_at, hold_ip, charged_minor FROM bookings;
DELETE FROM sqlite_sequence WHERE name = 'new_bookings';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_bookings', seq FROM sqlite_sequence WHERE name = 'bookings';
DROP TABLE bookings;
ALTER TABLE new_bookings RENAME TO bookings;
CREATE UNIQUE INDEX bookings_one_live ON bookings (user_id, exam_id) WHERE state IN ('held', 'pending', 'confirmed');
CREATE INDEX bookings_user ON bookings (user_id, state);
CREATE INDEX bookings_slot ON bookings (slot_id, state);
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE state IN ('held', 'pending');
CREATE INDEX bookings_payment ON bookings (payment_id);
CREATE INDEX bookings_unpaid_ip ON bookings (hold_ip) WHERE state IN ('held', 'pending');
-- The settling sweep reads the confirmed bookings by their slot's start.
CREATE INDEX bookings_confirmed_slot ON bookings (slot_id) WHERE state = 'confirmed';
CREATE TEMP TABLE migration_fk_check (dangling INTEGER NOT NULL CHECK (dangling = 0));
INSERT INTO migration_fk_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE migration_fk_check;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- The older schema has no delivered state. A delivered booking goes back as
-- a no-show: like delivered, it holds no seat and is not live, so seats and
-- the one-live-booking rule stay as they are.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE old_bookings (
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
    updated_at          TIMESTAMP NOT NULL,
    hold_ip             TEXT NOT NULL DEFAULT '',
    charged_minor       INTEGER NOT NULL DEFAULT 0 CHECK (charged_minor >= 0)
);
INSERT INTO old_bookings (id, reference, user_id, exam_id, slot_id, state, language, hold_expires_at, price_minor, discount_minor, currency, voucher_id, voucher_released_at, payment_id, policy, reschedules, free_reschedule, rules_version, privacy_version, agreed_at, system_checked_at, confirmed_at, cancelled_at, cancelled_by, cancel_reason, no_show_at, no_show_kind, checked_in_at, created_at, updated_at, hold_ip, charged_minor)
    SELECT id, reference, user_id, exam_id, slot_id, CASE state WHEN 'delivered' THEN 'no_show' ELSE state END, language, hold_expires_at, price_minor, discount_minor, currency, voucher_id, voucher_released_at, payment_id, policy, reschedules, free_reschedule, rules_version, privacy_version, agreed_at, system_checked_at, confirmed_at, cancelled_at, cancelled_by, cancel_reason, CASE state WHEN 'delivered' THEN COALESCE(no_show_at, delivered_at) ELSE no_show_at END, no_show_kind, checked_in_at, created_at, updated_at, hold_ip, charged_minor FROM bookings;
DELETE FROM sqlite_sequence WHERE name = 'old_bookings';
INSERT INTO sqlite_sequence (name, seq) SELECT 'old_bookings', seq FROM sqlite_sequence WHERE name = 'bookings';
DROP TABLE bookings;
ALTER TABLE old_bookings RENAME TO bookings;
CREATE UNIQUE INDEX bookings_one_live ON bookings (user_id, exam_id) WHERE state IN ('held', 'pending', 'confirmed');
CREATE INDEX bookings_user ON bookings (user_id, state);
CREATE INDEX bookings_slot ON bookings (slot_id, state);
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE state IN ('held', 'pending');
CREATE INDEX bookings_payment ON bookings (payment_id);
CREATE INDEX bookings_unpaid_ip ON bookings (hold_ip) WHERE state IN ('held', 'pending');
CREATE TEMP TABLE migration_fk_check (dangling INTEGER NOT NULL CHECK (dangling = 0));
INSERT INTO migration_fk_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE migration_fk_check;
COMMIT;
PRAGMA foreign_keys = ON;
