-- +goose Up
-- Idempotency keys belong to a principal, named by a scope ("user:42"; API
-- clients get scopes of their own), rather than to an account id. Keys
-- already stored keep working under their account's scope.
ALTER TABLE idempotency_keys ADD COLUMN scope TEXT;
UPDATE idempotency_keys SET scope = 'user:' || user_id;
ALTER TABLE idempotency_keys ALTER COLUMN scope SET NOT NULL;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_scope_check CHECK (scope <> '');
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys DROP COLUMN user_id;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (scope, key);

-- +goose Down
ALTER TABLE idempotency_keys ADD COLUMN user_id BIGINT REFERENCES users (id) ON DELETE CASCADE;
UPDATE idempotency_keys k SET user_id = u.id FROM users u WHERE k.scope = 'user:' || u.id;
DELETE FROM idempotency_keys WHERE user_id IS NULL;
ALTER TABLE idempotency_keys ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys DROP COLUMN scope;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (user_id, key);
