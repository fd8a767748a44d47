-- +goose Up
-- Idempotency keys belong to a principal, named by a scope ("user:42"; API
-- clients get scopes of their own), rather than to an account id. Keys
-- already stored keep working under their account's scope.
CREATE TABLE idempotency_keys_scoped (
    scope        TEXT NOT NULL CHECK (scope <> ''),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);
INSERT INTO idempotency_keys_scoped (scope, key, request_hash, status, response, created_at)
    SELECT 'user:' || user_id, key, request_hash, status, response, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_scoped RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
CREATE TABLE idempotency_keys_by_user (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
INSERT INTO idempotency_keys_by_user (user_id, key, request_hash, status, response, created_at)
    SELECT u.id, k.key, k.request_hash, k.status, k.response, k.created_at
    FROM idempotency_keys k JOIN users u ON k.scope = 'user:' || u.id;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_user RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
