-- +goose Up
-- Reschedule fees. An exam may charge a fee for moving a booking (zero:
-- free); the fee in force at purchase is kept in the booking's policy.
-- Every move of a booking is recorded; a move with a fee waits for its
-- payment and happens in the transaction that records the payment.
ALTER TABLE exams ADD COLUMN reschedule_fee_minor BIGINT NOT NULL DEFAULT 0 CHECK (reschedule_fee_minor >= 0);

-- What a payment pays for: the seats of a checkout, or one move's fee.
ALTER TABLE payments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'booking' CHECK (purpose IN ('booking', 'reschedule_fee'));

-- pending (waiting for its fee) → done, or failed (declined, expired,
-- or no longer possible when the fee arrived: the fee is refunded).
CREATE TABLE booking_moves (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id   BIGINT NOT NULL REFERENCES bookings (id),
    from_slot_id BIGINT NOT NULL REFERENCES slots (id),
    to_slot_id   BIGINT NOT NULL REFERENCES slots (id),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    free         BOOLEAN NOT NULL DEFAULT FALSE,  -- caused by the center: not counted
    fee_minor    BIGINT NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),
    currency     TEXT NOT NULL,
    payment_id   BIGINT UNIQUE REFERENCES payments (id),
    failure      TEXT NOT NULL DEFAULT '',
    actor_id     BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    done_at      TIMESTAMPTZ,
    CHECK ((fee_minor = 0) = (payment_id IS NULL))
);
CREATE INDEX booking_moves_booking ON booking_moves (booking_id, created_at);
CREATE UNIQUE INDEX booking_moves_one_pending ON booking_moves (booking_id) WHERE state = 'pending';

-- A booking may now have a refund of its own payment and one of each fee
-- payment whose move failed: one refund per booking and payment.
ALTER TABLE refunds DROP CONSTRAINT refunds_booking_id_key;
ALTER TABLE refunds ADD CONSTRAINT refunds_booking_payment UNIQUE (booking_id, payment_id);
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
DROP INDEX refunds_payment;
DELETE FROM refunds r USING payments p WHERE p.id = r.payment_id AND p.purpose <> 'booking';
ALTER TABLE refunds DROP CONSTRAINT refunds_booking_payment;
ALTER TABLE refunds ADD CONSTRAINT refunds_booking_id_key UNIQUE (booking_id);
DROP TABLE booking_moves;
ALTER TABLE payments DROP COLUMN purpose;
ALTER TABLE exams DROP COLUMN reschedule_fee_minor;
