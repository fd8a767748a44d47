package store_test

import (
	"context"
	"strings"
	"testing"

	"example.org/certportal/internal/testutil"
)

// TestCETranscriptDocumentMigration: migration 0031 admits the kind
// ce_transcript in documents and document_checks and keeps every document
// with its stored file (SQLite rebuilds both tables); ids go on after the
// old ones. Its Down removes the continuing-education transcripts only.
func TestCETranscriptDocumentMigration(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		const before = 30
		s, p := migratedTo(t, engine, before)
		db := s.DB()
		exec := func(q string, args ...any) error {
			t.Helper()
			_, err := db.ExecContext(ctx, testutil.Rebind(engine, q), args...)
			return err
		}
		must := func(q string, args ...any) {
			t.Helper()
			if err := exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var uid, keyID, docID int64
		if err := db.QueryRowContext(ctx, testutil.Rebind(engine, `INSERT INTO users (login_id, email, first_name, last_name, role, language, created_at, updated_at)
			VALUES ('CP00000042', 'ada@example.org', 'Ada', 'Lovelace', 'candidate', 'en', ?, ?) RETURNING id`), t0, t0).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, testutil.Rebind(engine, `INSERT INTO document_keys (source, certificates, fingerprint, private_key_sealed, not_after, created_at)
			VALUES ('generated', ?, ?, ?, ?, ?) RETURNING id`), []byte{1}, strings.Repeat("a", 64), []byte{2}, t0.AddDate(30, 0, 0), t0).Scan(&keyID); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, testutil.Rebind(engine, `INSERT INTO documents (kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
			VALUES ('transcript', ?, ?, 'A4', 'en', ?, ?, ?) RETURNING id`), uid, uid, t0, t0, t0).Scan(&docID); err != nil {
			t.Fatal(err)
		}
		must(`INSERT INTO document_files (document_id, source_sha256, document_key_id, pdf, pdf_sha256, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, docID, strings.Repeat("b", 64), keyID, []byte("%PDF"), strings.Repeat("c", 64), t0, t0)
		ceDoc := `INSERT INTO documents (kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
			VALUES ('ce_transcript', ?, ?, 'A4', 'en', ?, ?, ?)`
		if err := exec(ceDoc, uid, uid, t0, t0, t0); err == nil {
			t.Fatal("a ce_transcript document was stored before the migration")
		}

		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		var ceID int64
		if err := db.QueryRowContext(ctx, testutil.Rebind(engine, ceDoc+` RETURNING id`), uid, uid, t0, t0, t0).Scan(&ceID); err != nil {
			t.Fatalf("ce_transcript document after the migration: %v", err)
		}
		if ceID <= docID {
			t.Errorf("new document id %d, want after %d", ceID, docID)
		}
		must(`INSERT INTO document_checks (kind, subject_id, user_id, problem, problem_data, checked_at) VALUES ('ce_transcript', ?, ?, '', '{}', ?)`, uid, uid, t0)
		if err := exec(`INSERT INTO documents (kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
			VALUES ('ledger', ?, ?, 'A4', 'en', ?, ?, ?)`, uid, uid, t0, t0, t0); err == nil {
			t.Error("an unknown kind of document was stored")
		}
		var pdf []byte
		if err := db.QueryRowContext(ctx, testutil.Rebind(engine, `SELECT f.pdf FROM document_files f JOIN documents d ON d.id = f.document_id WHERE d.id = ? AND d.kind = 'transcript'`), docID).Scan(&pdf); err != nil || string(pdf) != "%PDF" {
			t.Fatalf("the stored file after the migration = %q, %v", pdf, err)
		}

		if _, err := p.DownTo(ctx, before); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM document_files) + (SELECT COUNT(*) FROM document_checks)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("after the Down %d rows of documents, files and checks, want the transcript and its file", n)
		}
	})
}
