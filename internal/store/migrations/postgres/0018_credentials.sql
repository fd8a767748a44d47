-- +goose Up
-- Credentials: the signing keys, the status lists and the credential each
-- earned certification gets. Every instant is UTC.

-- Ed25519 signing keys. The private key (its 32-byte seed) is sealed with
-- the shared keyring, bound to the key's number; it is never stored in
-- clear. One key is current (retired_at NULL); retired keys stay, so that
-- credentials they signed keep verifying. number is the N of the key's
-- DID URL fragment #key-N.
CREATE TABLE signing_keys (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number             INTEGER NOT NULL UNIQUE CHECK (number >= 1),
    algorithm          TEXT NOT NULL CHECK (algorithm = 'Ed25519'),
    public_key         BYTEA NOT NULL CHECK (octet_length(public_key) = 32),
    private_key_sealed BYTEA NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    retired_at         TIMESTAMPTZ
);
CREATE UNIQUE INDEX signing_keys_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- Bitstring status lists, numbered per purpose. bits holds size bits,
-- index 0 the most significant bit of the first byte.
CREATE TABLE status_lists (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    number     INTEGER NOT NULL CHECK (number >= 1),
    size       INTEGER NOT NULL CHECK (size >= 131072 AND size % 8 = 0),
    bits       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (purpose, number)
);

-- The indices handed out on each list: an index is given once, ever.
CREATE TABLE status_list_entries (
    list_id    BIGINT NOT NULL REFERENCES status_lists (id),
    idx        INTEGER NOT NULL CHECK (idx >= 0),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (list_id, idx)
);

-- A credential: the public ID, the certification and cycle it attests,
-- the key that signed it, its place on each status list, its state and
-- the signed documents (empty until signed). A credential replaced by a
-- later one is first marked superseded_at, then points to its successor;
-- only one credential per certification and cycle is not superseded.
CREATE TABLE credentials (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credential_id         TEXT NOT NULL UNIQUE CHECK (length(credential_id) = 27),
    user_certification_id BIGINT NOT NULL REFERENCES user_certifications (id),
    cycle                 INTEGER NOT NULL CHECK (cycle >= 1),
    signing_key_id        BIGINT NOT NULL REFERENCES signing_keys (id),
    revocation_list_id    BIGINT NOT NULL REFERENCES status_lists (id),
    revocation_index      INTEGER NOT NULL,
    suspension_list_id    BIGINT NOT NULL REFERENCES status_lists (id),
    suspension_index      INTEGER NOT NULL,
    issued_at             TIMESTAMPTZ NOT NULL,
    revoked_at            TIMESTAMPTZ,
    revocation_reason     TEXT NOT NULL DEFAULT '' CHECK (revocation_reason IN ('', 'misconduct', 'issued_in_error', 'policy_violation', 'other')),
    suspended_at          TIMESTAMPTZ,
    superseded_at         TIMESTAMPTZ,
    superseded_by         BIGINT REFERENCES credentials (id),
    document_jsonld       TEXT NOT NULL DEFAULT '',
    document_jwt          TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (revocation_list_id, revocation_index) REFERENCES status_list_entries (list_id, idx),
    FOREIGN KEY (suspension_list_id, suspension_index) REFERENCES status_list_entries (list_id, idx),
    UNIQUE (revocation_list_id, revocation_index),
    UNIQUE (suspension_list_id, suspension_index),
    CHECK ((revoked_at IS NULL) = (revocation_reason = '')),
    CHECK (superseded_by IS NULL OR superseded_at IS NOT NULL)
);
CREATE UNIQUE INDEX credentials_current ON credentials (user_certification_id, cycle) WHERE superseded_at IS NULL;

-- +goose Down
DROP TABLE credentials;
DROP TABLE status_list_entries;
DROP TABLE status_lists;
DROP TABLE signing_keys;
