-- +goose Up
-- The salt of the holder's email hash, drawn per credential, so that the
-- signed document can be built again the same way; and an index of the
-- credentials still waiting to be signed.
ALTER TABLE credentials ADD COLUMN subject_salt TEXT NOT NULL DEFAULT '';
CREATE INDEX credentials_unsigned ON credentials (id) WHERE document_jsonld = '';

-- +goose Down
DROP INDEX credentials_unsigned;
ALTER TABLE credentials DROP COLUMN subject_salt;
