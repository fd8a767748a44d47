-- +goose Up
-- Files attached to a mail kept in the development mailbox (calendar files,
-- for example), as a JSON array of {name, content_type, content (base64)}.
ALTER TABLE dev_messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
