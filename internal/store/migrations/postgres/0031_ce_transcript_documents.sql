-- +goose Up
-- A fourth kind of document: the holder's continuing-education transcript
-- (subject: the holder's account), stored and checked like the others.
ALTER TABLE documents DROP CONSTRAINT documents_kind_check;
ALTER TABLE documents ADD CONSTRAINT documents_kind_check
    CHECK (kind IN ('certificate', 'score_report', 'transcript', 'ce_transcript'));
ALTER TABLE document_checks DROP CONSTRAINT document_checks_kind_check;
ALTER TABLE document_checks ADD CONSTRAINT document_checks_kind_check
    CHECK (kind IN ('certificate', 'score_report', 'transcript', 'ce_transcript'));

-- +goose Down
DELETE FROM document_checks WHERE kind = 'ce_transcript';
DELETE FROM documents WHERE kind = 'ce_transcript';
ALTER TABLE document_checks DROP CONSTRAINT document_checks_kind_check;
ALTER TABLE document_checks ADD CONSTRAINT document_checks_kind_check
    CHECK (kind IN ('certificate', 'score_report', 'transcript'));
ALTER TABLE documents DROP CONSTRAINT documents_kind_check;
ALTER TABLE documents ADD CONSTRAINT documents_kind_check
    CHECK (kind IN ('certificate', 'score_report', 'transcript'));
