-- +goose Up
-- A file someone uploaded (continuing-education evidence today; support
-- cases, name changes and accommodations later). The bytes live in the blob
-- store under blob_key and are written, synced and in place before this row
-- commits. display_name is the name the uploader's device gave the file,
-- kept only to show; content_type is decided from the bytes. sha256 is the
-- hash of the stored (re-encoded) bytes, so that the same file attached
-- twice can be flagged. scan_status is pending until a scanner has looked,
-- clean or quarantined after, unscanned when no scanner is configured;
-- scan_detail names what a scanner found, for staff only. attached_at is
-- when the owning service (say, a continuing-education submission) took the
-- file in; a file never attached is removed by the orphan sweep some days
-- after it was uploaded (docs/uploads.md).
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER NOT NULL REFERENCES users (id),
    purpose      TEXT NOT NULL CHECK (purpose IN ('ce_evidence')),
    display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    blob_key     TEXT NOT NULL UNIQUE,
    scan_status  TEXT NOT NULL CHECK (scan_status IN ('pending', 'clean', 'quarantined', 'unscanned')),
    scan_detail  TEXT NOT NULL DEFAULT '',
    scanned_at   TIMESTAMP,
    attached_at  TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX uploads_owner ON uploads (owner_id, created_at);
CREATE INDEX uploads_sha256 ON uploads (sha256);
CREATE INDEX uploads_pending ON uploads (scan_status) WHERE scan_status = 'pending';
CREATE INDEX uploads_unattached ON uploads (created_at) WHERE attached_at IS NULL;

-- +goose Down
DROP TABLE uploads;
