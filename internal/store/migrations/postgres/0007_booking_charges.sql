-- +goose Up
-- What checkout charged for each booking: its price less its discount as
-- priced in the checkout's transaction. Refunds are computed from it, and
-- the bookings of a checkout payment add up to the payment. Zero until
-- checked out.
ALTER TABLE bookings ADD COLUMN charged_minor BIGINT NOT NULL DEFAULT 0 CHECK (charged_minor >= 0);
-- Bookings already checked out: a payment for one booking charged exactly
-- its amount; for several, each was charged its price less its discount.
UPDATE bookings SET charged_minor = price_minor - discount_minor WHERE payment_id IS NOT NULL;
UPDATE bookings SET charged_minor = (SELECT p.amount_minor FROM payments p WHERE p.id = bookings.payment_id)
 WHERE payment_id IS NOT NULL
   AND (SELECT COUNT(*) FROM bookings o WHERE o.payment_id = bookings.payment_id) = 1;

-- One row per network address that made a hold: a hold locks its
-- address's row (an upsert) before counting the address's unpaid holds,
-- so concurrent holds from one address are counted one after the other.
-- Rows of addresses idle for a day are purged by the hold sweep.
CREATE TABLE hold_addresses (
    address      TEXT PRIMARY KEY,
    last_hold_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hold_addresses_last_hold ON hold_addresses (last_hold_at);

-- +goose Down
DROP TABLE hold_addresses;
ALTER TABLE bookings DROP COLUMN charged_minor;
