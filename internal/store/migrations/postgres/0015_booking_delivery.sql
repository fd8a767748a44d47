-- +goose Up
-- A booking after its exam: delivered (a check-in or a result proves the
-- candidate sat it) or no_show. Neither holds a seat, so the candidate may
-- book the exam again. delivered_at is when the booking was settled as
-- delivered.
ALTER TABLE bookings ADD COLUMN delivered_at TIMESTAMPTZ;
ALTER TABLE bookings DROP CONSTRAINT bookings_state_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_state_check
    CHECK (state IN ('held', 'pending', 'confirmed', 'cancelled', 'expired', 'no_show', 'delivered'));
ALTER TABLE bookings ADD CONSTRAINT bookings_delivered_at_check CHECK (state <> 'delivered' OR delivered_at IS NOT NULL);
-- The settling sweep reads the confirmed bookings by their slot's start.
CREATE INDEX bookings_confirmed_slot ON bookings (slot_id) WHERE state = 'confirmed';

-- +goose Down
DROP INDEX bookings_confirmed_slot;
-- The older schema has no delivered state. A delivered booking goes back as
-- a no-show: like delivered, it holds no seat and is not live, so seats and
-- the one-live-booking rule stay as they are.
UPDATE bookings SET state = 'no_show', no_show_at = COALESCE(no_show_at, delivered_at) WHERE state = 'delivered';
ALTER TABLE bookings DROP CONSTRAINT bookings_delivered_at_check;
ALTER TABLE bookings DROP CONSTRAINT bookings_state_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_state_check
    CHECK (state IN ('held', 'pending', 'confirmed', 'cancelled', 'expired', 'no_show'));
ALTER TABLE bookings DROP COLUMN delivered_at;
