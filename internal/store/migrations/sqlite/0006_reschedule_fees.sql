-- +goose Up
-- Reschedule fees. An exam may charge a fee for moving a booking (zero:
-- free); the fee in force at purchase is kept in the booking's policy.
-- Every move of a booking is recorded; a move with a fee waits for its
-- payment and happens in the transaction that records the payment.
ALTER TABLE exams ADD COLUMN reschedule_fee_minor INTEGER NOT NULL DEFAULT 0 CHECK (reschedule_fee_minor >= 0);

-- What a payment pays for: the seats of a checkout, or one move's fee.
ALTER TABLE payments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'booking' CHECK (purpose IN ('booking', 'reschedule_fee'));

-- pending (waiting for its fee) → done, or failed (declined, expired,
-- or no longer possible when the fee arrived: the fee is refunded).
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
CREATE INDEX booking_moves_booking ON booking_moves (booking_id, created_at);
CREATE UNIQUE INDEX booking_moves_one_pending ON booking_moves (booking_id) WHERE state = 'pending';

-- A booking may now have a refund of its own payment and one of each fee
-- payment whose move failed: one refund per booking and payment.
CREATE TABLE refunds_by_payment (
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
INSERT INTO refunds_by_payment (id, booking_id, payment_id, amount_minor, currency, state, provider_ref, failure, created_at, updated_at)
    SELECT id, booking_id, payment_id, amount_minor, currency, state, provider_ref, failure, created_at, updated_at FROM refunds;
DROP TABLE refunds;
ALTER TABLE refunds_by_payment RENAME TO refunds;
CREATE INDEX refunds_payment ON refunds (payment_id);

-- The address a hold was made from: unpaid holds are limited per address
-- too, so that many accounts behind one address cannot sweep the seats.
ALTER TABLE bookings ADD COLUMN hold_ip TEXT NOT NULL DEFAULT '';
CREATE INDEX bookings_unpaid_ip ON bookings (hold_ip) WHERE state IN ('held', 'pending');

-- Pending payments, for the sweep that closes those whose seats are gone.
CREATE INDEX payments_pending ON payments (created_at) WHERE state = 'pending';

-- +goose Down
DROP INDEX payments_pending;
DROP INDEX bookings_unpaid_ip;
ALTER TABLE bookings DROP COLUMN hold_ip;
CREATE TABLE refunds_by_booking (
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
INSERT INTO refunds_by_booking (id, booking_id, payment_id, amount_minor, currency, state, provider_ref, failure, created_at, updated_at)
    SELECT r.id, r.booking_id, r.payment_id, r.amount_minor, r.currency, r.state, r.provider_ref, r.failure, r.created_at, r.updated_at
    FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.purpose = 'booking';
DROP TABLE refunds;
ALTER TABLE refunds_by_booking RENAME TO refunds;
DROP TABLE booking_moves;
ALTER TABLE payments DROP COLUMN purpose;
ALTER TABLE exams DROP COLUMN reschedule_fee_minor;
