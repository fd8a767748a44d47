package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
)

// DirectoryFilter selects entries of the public credential directory.
type DirectoryFilter struct {
	// Code is a certification code, any case; empty for every one.
	Code string
	// Name is part of the holder's name, any case; empty for anyone.
	Name   string
	Limit  int
	Offset int
}

// DirectoryEntry is one listed credential as the public directory shows
// it: never an email address or login ID.
type DirectoryEntry struct {
	CredentialID      portal.CredentialID `db:"credential_id"`
	FirstName         string              `db:"first_name"`
	LastName          string              `db:"last_name"`
	CertificationCode string              `db:"certification_code"`
	CertificationName string              `db:"certification_name"`
	IssuedOn          string              `db:"issued_on"`
}

// directoryListed is the condition an earned certification's current
// credential meets to appear in the directory at the transaction's now:
// its holder listed it, it is signed, and neither it nor the
// certification is revoked, suspended, withdrawn or expired.
const directoryListed = `FROM credential_directory d
	JOIN user_certifications uc ON uc.id = d.user_certification_id
	JOIN credentials c ON c.user_certification_id = uc.id AND c.cycle = uc.cycle AND c.superseded_at IS NULL
	JOIN users u ON u.id = uc.user_id
	JOIN certifications ce ON ce.id = uc.certification_id
	WHERE c.revoked_at IS NULL AND c.suspended_at IS NULL AND c.document_jsonld <> ''
	AND uc.withdrawn_at IS NULL AND uc.revoked_at IS NULL AND uc.suspended_at IS NULL AND uc.expires_at > ?
	AND u.disabled_at IS NULL`

// ListCredentialDirectory returns a page of the directory by holder's last
// and first name, and how many entries match in all.
func (tx *Tx) ListCredentialDirectory(ctx context.Context, f DirectoryFilter) ([]*DirectoryEntry, int, error) {
	where, args := directoryListed, []any{tx.now}
	if code := strings.TrimSpace(f.Code); code != "" {
		where, args = where+` AND LOWER(ce.code) = LOWER(?)`, append(args, code)
	}
	if name := strings.TrimSpace(f.Name); name != "" {
		where, args = where+` AND LOWER(u.first_name || ' ' || u.last_name) LIKE ? ESCAPE '\'`, append(args, likePattern(strings.ToLower(name)))
	}
	var total int
	if err := tx.get(ctx, &total, `SELECT COUNT(*) `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: count credential directory: %w", err)
	}
	var out []*DirectoryEntry
	if err := tx.sel(ctx, &out, `SELECT c.credential_id, u.first_name, u.last_name, ce.code AS certification_code,
		ce.name AS certification_name, uc.issued_on `+where+` ORDER BY LOWER(u.last_name), LOWER(u.first_name), c.id LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...); err != nil {
		return nil, 0, fmt.Errorf("store: list credential directory: %w", err)
	}
	return out, total, nil
}

// JoinCredentialDirectory lists an earned certification in the directory
// and reports whether it was not listed before.
func (tx *Tx) JoinCredentialDirectory(ctx context.Context, userCertificationID int64) (bool, error) {
	ok, err := oneRow(tx.exec(ctx, `INSERT INTO credential_directory (user_certification_id, listed_at) VALUES (?, ?)
		ON CONFLICT DO NOTHING`, userCertificationID, tx.now))
	if err != nil {
		return false, fmt.Errorf("store: join directory %d: %w", userCertificationID, err)
	}
	return ok, nil
}

// LeaveCredentialDirectory takes an earned certification out of the
// directory and reports whether it was listed.
func (tx *Tx) LeaveCredentialDirectory(ctx context.Context, userCertificationID int64) (bool, error) {
	ok, err := oneRow(tx.exec(ctx, `DELETE FROM credential_directory WHERE user_certification_id = ?`, userCertificationID))
	if err != nil {
		return false, fmt.Errorf("store: leave directory %d: %w", userCertificationID, err)
	}
	return ok, nil
}

// oneRow reports whether a statement changed exactly one row.
func oneRow(r sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// CountDirectoryEntries returns 1 when an earned certification is listed,
// whatever the state of its credential, else 0.
func (tx *Tx) CountDirectoryEntries(ctx context.Context, userCertificationID int64) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM credential_directory WHERE user_certification_id = ?`, userCertificationID); err != nil {
		return 0, fmt.Errorf("store: directory entry %d: %w", userCertificationID, err)
	}
	return n, nil
}

// ListOldestCredentialIDs returns the public IDs of up to limit
// credentials, oldest first.
func (s *Store) ListOldestCredentialIDs(ctx context.Context, limit int) ([]portal.CredentialID, error) {
	return listOldestCredentialIDs(ctx, s, limit)
}

// ListOldestCredentialIDs returns the public IDs of up to limit
// credentials, oldest first.
func (tx *Tx) ListOldestCredentialIDs(ctx context.Context, limit int) ([]portal.CredentialID, error) {
	return listOldestCredentialIDs(ctx, tx, limit)
}

func listOldestCredentialIDs(ctx context.Context, r reader, limit int) ([]portal.CredentialID, error) {
	var out []portal.CredentialID
	if err := r.sel(ctx, &out, `SELECT credential_id FROM credentials ORDER BY id LIMIT ?`, limit); err != nil {
		return nil, fmt.Errorf("store: oldest credentials: %w", err)
	}
	return out, nil
}

// ListDirectoryCertifications returns the ids of a user's earned
// certifications that are listed.
func (s *Store) ListDirectoryCertifications(ctx context.Context, userID int64) ([]int64, error) {
	var out []int64
	if err := s.sel(ctx, &out, `SELECT d.user_certification_id FROM credential_directory d
		JOIN user_certifications uc ON uc.id = d.user_certification_id WHERE uc.user_id = ? ORDER BY d.user_certification_id`,
		userID); err != nil {
		return nil, fmt.Errorf("store: directory entries of user %d: %w", userID, err)
	}
	return out, nil
}
