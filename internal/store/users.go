package store

import (
	"context"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const userColumns = `id, login_id, email, first_name, last_name, role, language, password_hash,
	email_verified_at, disabled_at, created_at, updated_at, country, region, phone, address_line1, address_line2,
	city, postal_code, company, company_address, job_role, industry, news_opt_in, legal_name_locked_at, password_changed_at, time_zone, distance_unit`

// UserCreate is a new account. LoginID must be unique; the caller generates
// it and retries on ErrConflict.
type UserCreate struct {
	LoginID         string
	Email           string
	FirstName       string
	LastName        string
	Role            portal.Role
	Language        string
	PasswordHash    string
	EmailVerifiedAt *time.Time
	Country         string
	Region          string
	Company         string
}

// CreateUser inserts an account. A duplicate email or login ID is
// portal.ErrConflict.
func (tx *Tx) CreateUser(ctx context.Context, u UserCreate) (*portal.User, error) {
	var out portal.User
	err := tx.get(ctx, &out, `INSERT INTO users (login_id, email, first_name, last_name, role, language,
		password_hash, email_verified_at, country, region, company, password_changed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING `+userColumns,
		u.LoginID, u.Email, u.FirstName, u.LastName, u.Role, u.Language, u.PasswordHash, u.EmailVerifiedAt,
		u.Country, u.Region, u.Company, passwordChangedAt(u.PasswordHash, tx.now), tx.now, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return &out, nil
}

// GetUser returns the user or portal.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id int64) (*portal.User, error) {
	return findUserByID(ctx, s, id)
}

// FindUserByEmail looks up a normalised email address.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*portal.User, error) {
	return findUserByEmail(ctx, s, email)
}

// FindUserByEmail is Store.FindUserByEmail inside the transaction.
func (tx *Tx) FindUserByEmail(ctx context.Context, email string) (*portal.User, error) {
	return findUserByEmail(ctx, tx, email)
}

func findUserByEmail(ctx context.Context, r reader, email string) (*portal.User, error) {
	var u portal.User
	if err := r.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE email = ?`, email); err != nil {
		return nil, fmt.Errorf("store: find user by email: %w", err)
	}
	return &u, nil
}

// FindUserByLoginID looks up an account by its login ID, or
// portal.ErrNotFound.
func (tx *Tx) FindUserByLoginID(ctx context.Context, loginID string) (*portal.User, error) {
	var u portal.User
	if err := tx.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE login_id = ?`, loginID); err != nil {
		return nil, fmt.Errorf("store: find user by login ID: %w", err)
	}
	return &u, nil
}

// GetUser inside a transaction.
func (tx *Tx) GetUser(ctx context.Context, id int64) (*portal.User, error) {
	return findUserByID(ctx, tx, id)
}

// UserUpdate changes the fields that are not nil.
type UserUpdate struct {
	Email             *string
	FirstName         *string
	LastName          *string
	Language          *string
	PasswordHash      *string
	PasswordChangedAt *time.Time
	EmailVerifiedAt   *time.Time
	Country           *string
	Region            *string
	Phone             *string
	AddressLine1      *string
	AddressLine2      *string
	City              *string
	PostalCode        *string
	Company           *string
	CompanyAddress    *string
	JobRole           *string
	Industry          *string
	NewsOptIn         *bool
	LegalNameLockedAt *time.Time
	TimeZone          *string
	DistanceUnit      *string
}

// UpdateUser applies u and returns the updated user.
func (tx *Tx) UpdateUser(ctx context.Context, id int64, u UserUpdate) (*portal.User, error) {
	set, args := "updated_at = ?", []any{tx.now}
	for _, f := range []struct {
		col string
		set bool
		val any
	}{
		{"email", u.Email != nil, deref(u.Email)},
		{"first_name", u.FirstName != nil, deref(u.FirstName)},
		{"last_name", u.LastName != nil, deref(u.LastName)},
		{"language", u.Language != nil, deref(u.Language)},
		{"password_hash", u.PasswordHash != nil, deref(u.PasswordHash)},
		{"password_changed_at", u.PasswordChangedAt != nil, u.PasswordChangedAt},
		{"email_verified_at", u.EmailVerifiedAt != nil, u.EmailVerifiedAt},
		{"country", u.Country != nil, deref(u.Country)},
		{"region", u.Region != nil, deref(u.Region)},
		{"phone", u.Phone != nil, deref(u.Phone)},
		{"address_line1", u.AddressLine1 != nil, deref(u.AddressLine1)},
		{"address_line2", u.AddressLine2 != nil, deref(u.AddressLine2)},
		{"city", u.City != nil, deref(u.City)},
		{"postal_code", u.PostalCode != nil, deref(u.PostalCode)},
		{"company", u.Company != nil, deref(u.Company)},
		{"company_address", u.CompanyAddress != nil, deref(u.CompanyAddress)},
		{"job_role", u.JobRole != nil, deref(u.JobRole)},
		{"industry", u.Industry != nil, deref(u.Industry)},
		{"news_opt_in", u.NewsOptIn != nil, u.NewsOptIn != nil && *u.NewsOptIn},
		{"legal_name_locked_at", u.LegalNameLockedAt != nil, u.LegalNameLockedAt},
		{"time_zone", u.TimeZone != nil, deref(u.TimeZone)},
		{"distance_unit", u.DistanceUnit != nil, deref(u.DistanceUnit)},
	} {
		if f.set {
			set += ", " + f.col + " = ?"
			args = append(args, f.val)
		}
	}
	args = append(args, id)
	var out portal.User
	if err := tx.get(ctx, &out, `UPDATE users SET `+set+` WHERE id = ? RETURNING `+userColumns, args...); err != nil {
		return nil, fmt.Errorf("store: update user %d: %w", id, err)
	}
	return &out, nil
}

// UserFilter selects users for listings.
type UserFilter struct {
	Role   portal.Role
	Search string // matches email, names and login ID
	Limit  int
	Offset int
}

// ListUsers returns one page of users, newest first, and the total count.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]*portal.User, int, error) {
	where, args := "1 = 1", []any{}
	if f.Role != "" {
		where += " AND role = ?"
		args = append(args, f.Role)
	}
	if f.Search != "" {
		where += ` AND (email LIKE ? ESCAPE '\' OR first_name LIKE ? ESCAPE '\' OR last_name LIKE ? ESCAPE '\' OR login_id LIKE ? ESCAPE '\')`
		p := likePattern(f.Search)
		args = append(args, p, p, p, p)
	}
	var total int
	if err := s.get(ctx, &total, `SELECT COUNT(*) FROM users WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var users []*portal.User
	err := s.sel(ctx, &users, `SELECT `+userColumns+` FROM users WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	return users, total, nil
}

// CountUsers counts all accounts.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.get(ctx, &n, `SELECT COUNT(*) FROM users`); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

func passwordChangedAt(hash string, now time.Time) *time.Time {
	if hash == "" {
		return nil
	}
	return &now
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// SetUserDisabled disables (at now) or re-enables an account. A disabled
// account's sessions stop working at once (FindSession skips them) and are
// deleted here too.
func (tx *Tx) SetUserDisabled(ctx context.Context, id int64, disabled bool) (*portal.User, error) {
	var at *time.Time
	if disabled {
		now := tx.now
		at = &now
	}
	var out portal.User
	if err := tx.get(ctx, &out, `UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ? RETURNING `+userColumns, at, tx.now, id); err != nil {
		return nil, fmt.Errorf("store: disable user %d: %w", id, err)
	}
	if disabled {
		if _, err := tx.DeleteUserSessions(ctx, id, 0); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// LockLegalName records that the user's legal name is on an exam record:
// from now on only support changes it. Later calls keep the first instant.
func (tx *Tx) LockLegalName(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE users SET legal_name_locked_at = ?, updated_at = ? WHERE id = ? AND legal_name_locked_at IS NULL`,
		tx.now, tx.now, userID)
	if err != nil {
		return fmt.Errorf("store: lock legal name of %d: %w", userID, err)
	}
	return nil
}

// ListUsersByLoginIDs returns the users whose login ID is one of ids
// exactly, in no particular order: one read for a batch of rows that name
// candidates (a results import).
func (tx *Tx) ListUsersByLoginIDs(ctx context.Context, ids []string) ([]*portal.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// Padded with the last id to a multiple of 250, so a few query texts
	// (and prepared statements) serve every batch.
	n := (len(ids) + 249) / 250 * 250
	args := make([]any, n)
	for i := range n {
		args[i] = ids[min(i, len(ids)-1)]
	}
	var out []*portal.User
	if err := tx.sel(ctx, &out, `SELECT `+userColumns+` FROM users WHERE login_id IN (`+placeholders(n)+`)`, args...); err != nil {
		return nil, fmt.Errorf("store: list users by login ID: %w", err)
	}
	return out, nil
}

// LockUserAccount returns one user and, on PostgreSQL, locks the row
// until the transaction ends (LockUser, with the row in the same round
// trip), or portal.ErrNotFound.
func (tx *Tx) LockUserAccount(ctx context.Context, id int64) (*portal.User, error) {
	var u portal.User
	if err := tx.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`+tx.forUpdate(""), id); err != nil {
		return nil, fmt.Errorf("store: lock user %d: %w", id, err)
	}
	return &u, nil
}

func findUserByID(ctx context.Context, r reader, id int64) (*portal.User, error) {
	var u portal.User
	if err := r.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: find user %d: %w", id, err)
	}
	return &u, nil
}
