package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

const documentColumns = `id, kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at`

// FindDocumentBySubject returns the document of a kind and subject, or
// portal.ErrNotFound when none has been made yet.
func (tx *Tx) FindDocumentBySubject(ctx context.Context, kind string, subjectID int64) (*portal.Document, error) {
	var d portal.Document
	if err := tx.get(ctx, &d, `SELECT `+documentColumns+` FROM documents WHERE kind = ? AND subject_id = ?`, kind, subjectID); err != nil {
		return nil, fmt.Errorf("store: find %s document of %d: %w", kind, subjectID, err)
	}
	return &d, nil
}

// SaveDocument makes the document of d's kind and subject with d's paper
// and language, or, when it exists, changes only those two: its holder and
// issue instant stay those of the first making, so the one unique row per
// kind and subject keeps every instance to the same dates and IDs.
func (tx *Tx) SaveDocument(ctx context.Context, d portal.Document) (*portal.Document, error) {
	var out portal.Document
	err := tx.get(ctx, &out, `INSERT INTO documents (kind, subject_id, user_id, paper, language, issued_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, subject_id) DO UPDATE SET paper = excluded.paper, language = excluded.language, updated_at = excluded.updated_at
		RETURNING `+documentColumns,
		d.Kind, d.SubjectID, d.UserID, d.Paper, d.Language, d.IssuedAt.UTC(), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: save %s document of %d: %w", d.Kind, d.SubjectID, err)
	}
	return &out, nil
}
