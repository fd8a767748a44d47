-- +goose Up
-- The public directory of credentials: one row per earned certification
-- whose holder chose to be listed. Off by default (no row); leaving
-- deletes the row. The directory shows the certification's current
-- credential only while it is valid.
CREATE TABLE credential_directory (
    user_certification_id INTEGER PRIMARY KEY REFERENCES user_certifications (id),
    listed_at             TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE credential_directory;
