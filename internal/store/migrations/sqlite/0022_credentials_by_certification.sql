-- +goose Up
-- Credentials by earned certification, superseded ones included: the
-- holder's Certifications page and the console's search by holder read
-- them, and the partial credentials_current index leaves superseded
-- credentials out, so without this index both read the whole table (found
-- on a generated database of a million credentials).
CREATE INDEX credentials_certification ON credentials (user_certification_id);

-- +goose Down
DROP INDEX credentials_certification;
