-- +goose Up
-- The cart lists a candidate's own vouchers (the pass vouchers results
-- issue): find them by owner.
CREATE INDEX vouchers_owner ON vouchers (owner_user_id) WHERE owner_user_id IS NOT NULL;

-- +goose Down
DROP INDEX vouchers_owner;
