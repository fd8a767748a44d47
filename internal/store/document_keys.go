package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

const documentKeyColumns = `id, source, certificates, fingerprint, private_key_sealed, not_after, created_at, retired_at`

// InsertDocumentKey stores a new current document-signing key unless
// another is current; it reports whether it stored it. Two instances
// storing the first key at once thus store one.
func (tx *Tx) InsertDocumentKey(ctx context.Context, k portal.DocumentKey) (bool, error) {
	r, err := tx.exec(ctx, `INSERT INTO document_keys (source, certificates, fingerprint, private_key_sealed, not_after, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, k.Source, k.Certificates, k.Fingerprint, k.Sealed, k.NotAfter.UTC(), tx.now)
	if err != nil {
		return false, fmt.Errorf("store: insert document key %s: %w", k.Fingerprint, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: insert document key %s: %w", k.Fingerprint, err)
	}
	return n == 1, nil
}

// LockCurrentDocumentKey returns the current document-signing key, locked
// until the transaction ends on PostgreSQL, or portal.ErrNotFound when
// there is none yet.
func (tx *Tx) LockCurrentDocumentKey(ctx context.Context) (*portal.DocumentKey, error) {
	var k portal.DocumentKey
	if err := tx.get(ctx, &k, `SELECT `+documentKeyColumns+` FROM document_keys WHERE retired_at IS NULL`+tx.forUpdate("")); err != nil {
		return nil, fmt.Errorf("store: lock current document key: %w", err)
	}
	return &k, nil
}

// GetCurrentDocumentKey returns the current document-signing key or
// portal.ErrNotFound when there is none yet.
func (s *Store) GetCurrentDocumentKey(ctx context.Context) (*portal.DocumentKey, error) {
	var k portal.DocumentKey
	if err := s.get(ctx, &k, `SELECT `+documentKeyColumns+` FROM document_keys WHERE retired_at IS NULL`); err != nil {
		return nil, fmt.Errorf("store: find current document key: %w", err)
	}
	return &k, nil
}

// GetDocumentKey returns one document-signing key, current or retired, or
// portal.ErrNotFound.
func (s *Store) GetDocumentKey(ctx context.Context, id int64) (*portal.DocumentKey, error) {
	var k portal.DocumentKey
	if err := s.get(ctx, &k, `SELECT `+documentKeyColumns+` FROM document_keys WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: document key %d: %w", id, err)
	}
	return &k, nil
}

// RetireDocumentKey retires the current key id; portal.ErrNotFound when it
// is not (or no longer) current.
func (tx *Tx) RetireDocumentKey(ctx context.Context, id int64) error {
	if err := affected(tx.exec(ctx, `UPDATE document_keys SET retired_at = ? WHERE id = ? AND retired_at IS NULL`, tx.now, id)); err != nil {
		return fmt.Errorf("store: retire document key %d: %w", id, err)
	}
	return nil
}
