-- +goose Up
-- The keys that sign PDF documents (PAdES), apart from the Ed25519 keys of
-- credentials: RSA, with an X.509 certificate chain. Either the operator's
-- certificate and key, imported at start, or a key and self-signed
-- certificate generated once. The private key (PKCS#8 DER) is sealed with
-- the shared keyring, bound to the certificate's fingerprint; it is never
-- stored in clear. One key is current (retired_at NULL); retired keys stay,
-- so that a document they signed regenerates with its key.
CREATE TABLE document_keys (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source             TEXT NOT NULL CHECK (source IN ('operator', 'generated')),
    -- the DER certificates of the chain, concatenated, the signer's first
    certificates       BYTEA NOT NULL CHECK (octet_length(certificates) > 0),
    -- hex SHA-256 of the signer's DER certificate
    fingerprint        TEXT NOT NULL CHECK (length(fingerprint) = 64),
    private_key_sealed BYTEA NOT NULL,
    not_after          TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    retired_at         TIMESTAMPTZ
);
CREATE UNIQUE INDEX document_keys_current ON document_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- +goose Down
DROP TABLE document_keys;
