package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

// EnsureDocument makes the document of d's kind and subject with d's
// paper, language and issue instant unless it exists, and returns the
// stored row: a holder's earlier choice is never overwritten.
func (tx *Tx) EnsureDocument(ctx context.Context, d portal.Document) (*portal.Document, error) {
	if _, err := tx.exec(ctx, `INSERT INTO documents (kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject_id) DO NOTHING`,
		d.Kind, d.SubjectID, d.UserID, d.Paper, d.Language, d.IssuedAt.UTC(), tx.now, tx.now); err != nil {
		return nil, fmt.Errorf("store: ensure %s document of %d: %w", d.Kind, d.SubjectID, err)
	}
	return tx.FindDocumentBySubject(ctx, d.Kind, d.SubjectID)
}

// PutDocument makes the document of d's kind and subject, or sets its
// paper, language and issue instant: for documents whose instant follows
// the data they show (score reports, transcripts).
func (tx *Tx) PutDocument(ctx context.Context, d portal.Document) (*portal.Document, error) {
	var out portal.Document
	err := tx.get(ctx, &out, `INSERT INTO documents (kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, subject_id) DO UPDATE SET paper = excluded.paper, language = excluded.language,
			issued_at = excluded.issued_at, updated_at = excluded.updated_at
		RETURNING `+documentColumns,
		d.Kind, d.SubjectID, d.UserID, d.Paper, d.Language, d.IssuedAt.UTC(), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: put %s document of %d: %w", d.Kind, d.SubjectID, err)
	}
	return &out, nil
}

const documentFileColumns = `document_id, source_sha256, document_key_id, pdf, pdf_sha256, created_at, updated_at`

// GetDocumentFile returns the signed file of a document, or
// portal.ErrNotFound when none was made yet.
func (tx *Tx) GetDocumentFile(ctx context.Context, documentID int64) (*portal.DocumentFile, error) {
	var f portal.DocumentFile
	if err := tx.get(ctx, &f, `SELECT `+documentFileColumns+` FROM document_files WHERE document_id = ?`, documentID); err != nil {
		return nil, fmt.Errorf("store: find file of document %d: %w", documentID, err)
	}
	return &f, nil
}

// SaveDocumentFile stores the signed file of a document, replacing the
// one made before from other data.
func (tx *Tx) SaveDocumentFile(ctx context.Context, f portal.DocumentFile) error {
	_, err := tx.exec(ctx, `INSERT INTO document_files (document_id, source_sha256, document_key_id, pdf, pdf_sha256, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (document_id) DO UPDATE SET source_sha256 = excluded.source_sha256, document_key_id = excluded.document_key_id,
			pdf = excluded.pdf, pdf_sha256 = excluded.pdf_sha256, updated_at = excluded.updated_at`,
		f.DocumentID, f.SourceSHA256, f.DocumentKeyID, f.PDF, f.PDFSHA256, tx.now, tx.now)
	if err != nil {
		return fmt.Errorf("store: save file of document %d: %w", f.DocumentID, err)
	}
	return nil
}

// RestoreDocumentPDF puts back the lost bytes of a document's file, only
// while the stored file is still the one hashing to pdfSHA256 (a file
// replaced meanwhile stays); it reports whether it did.
func (tx *Tx) RestoreDocumentPDF(ctx context.Context, documentID int64, pdf []byte, pdfSHA256 string) (bool, error) {
	r, err := tx.exec(ctx, `UPDATE document_files SET pdf = ?, updated_at = ? WHERE document_id = ? AND pdf_sha256 = ?`,
		pdf, tx.now, documentID, pdfSHA256)
	if err != nil {
		return false, fmt.Errorf("store: restore file of document %d: %w", documentID, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: restore file of document %d: %w", documentID, err)
	}
	return n == 1, nil
}

const documentCheckColumns = `kind, subject_id, user_id, problem, problem_data, checked_at`

// SaveDocumentCheck records the outcome of laying out a document.
func (tx *Tx) SaveDocumentCheck(ctx context.Context, c portal.DocumentCheck) error {
	_, err := tx.exec(ctx, `INSERT INTO document_checks (`+documentCheckColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, subject_id) DO UPDATE SET problem = excluded.problem, problem_data = excluded.problem_data,
			checked_at = excluded.checked_at`,
		c.Kind, c.SubjectID, c.UserID, c.Problem, c.ProblemData, tx.now)
	if err != nil {
		return fmt.Errorf("store: save check of %s %d: %w", c.Kind, c.SubjectID, err)
	}
	return nil
}

// GetDocumentCheck returns the last check of a document, or
// portal.ErrNotFound when it was never laid out.
func (s *Store) GetDocumentCheck(ctx context.Context, kind string, subjectID int64) (*portal.DocumentCheck, error) {
	var c portal.DocumentCheck
	if err := s.get(ctx, &c, `SELECT `+documentCheckColumns+` FROM document_checks WHERE kind = ? AND subject_id = ?`,
		kind, subjectID); err != nil {
		return nil, fmt.Errorf("store: find check of %s %d: %w", kind, subjectID, err)
	}
	return &c, nil
}

// ListDocumentProblems returns the checks of a holder's documents of a
// kind that found a problem.
func (s *Store) ListDocumentProblems(ctx context.Context, userID int64, kind string) ([]*portal.DocumentCheck, error) {
	var out []*portal.DocumentCheck
	if err := s.sel(ctx, &out, `SELECT `+documentCheckColumns+` FROM document_checks
		WHERE user_id = ? AND kind = ? AND problem <> '' ORDER BY subject_id`, userID, kind); err != nil {
		return nil, fmt.Errorf("store: list %s problems of user %d: %w", kind, userID, err)
	}
	return out, nil
}

// CertificateToCheck is a credential as the certificate check walks them
// in order: whether it is signed, and whether it needs no check (revoked,
// or its certificate laid out already).
type CertificateToCheck struct {
	ID      int64 `db:"id"`
	Signed  bool  `db:"signed"`
	Settled bool  `db:"settled"`
}

// ListCertificatesToCheck returns, in order, up to limit credentials after
// the credential id after, each with whether its certificate still needs
// its check. The check keeps a cursor below which nothing is left to do,
// so a run reads the credentials issued since, not the whole table.
func (s *Store) ListCertificatesToCheck(ctx context.Context, after int64, limit int) ([]CertificateToCheck, error) {
	var out []CertificateToCheck
	if err := s.sel(ctx, &out, `SELECT c.id,
			CASE WHEN c.document_jsonld <> '' THEN 1 ELSE 0 END AS signed,
			CASE WHEN c.revoked_at IS NOT NULL
				OR EXISTS (SELECT 1 FROM document_checks k WHERE k.kind = ? AND k.subject_id = c.id)
				THEN 1 ELSE 0 END AS settled
		FROM credentials c WHERE c.id > ? ORDER BY c.id LIMIT ?`, portal.DocumentCertificate, after, limit); err != nil {
		return nil, fmt.Errorf("store: list certificates to check: %w", err)
	}
	return out, nil
}
