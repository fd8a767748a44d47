package store

import (
	"context"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
)

// reader is what a read query needs; both the pool (*Store) and a
// transaction (*Tx) are readers, so each read is written once.
type reader interface {
	get(ctx context.Context, dest any, q string, args ...any) error
	sel(ctx context.Context, dest any, q string, args ...any) error
}

// ListStaffSets returns the permission sets a staff account holds.
func (s *Store) ListStaffSets(ctx context.Context, userID int64) ([]portal.PermissionSet, error) {
	return listStaffSets(ctx, s, userID)
}

// ListStaffSets returns the permission sets a staff account holds.
func (tx *Tx) ListStaffSets(ctx context.Context, userID int64) ([]portal.PermissionSet, error) {
	return listStaffSets(ctx, tx, userID)
}

func listStaffSets(ctx context.Context, r reader, userID int64) ([]portal.PermissionSet, error) {
	var sets []portal.PermissionSet
	if err := r.sel(ctx, &sets, `SELECT set_name FROM staff_permission_sets WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: staff sets of %d: %w", userID, err)
	}
	return portal.SortSets(sets), nil
}

// ListStaffSetsByUsers returns the permission sets of each of the accounts
// (accounts holding none are absent).
func (s *Store) ListStaffSetsByUsers(ctx context.Context, ids []int64) (map[int64][]portal.PermissionSet, error) {
	out := map[int64][]portal.PermissionSet{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var rows []struct {
		UserID  int64                `db:"user_id"`
		SetName portal.PermissionSet `db:"set_name"`
	}
	q := `SELECT user_id, set_name FROM staff_permission_sets WHERE user_id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	if err := s.sel(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: staff sets: %w", err)
	}
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.SetName)
	}
	for id, sets := range out {
		out[id] = portal.SortSets(sets)
	}
	return out, nil
}

// LockAdmins returns the IDs of the enabled accounts holding the admin
// set, locking those grants until the transaction ends on PostgreSQL, so
// that two changes cannot each remove a different one of the last two
// admins.
func (tx *Tx) LockAdmins(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := tx.sel(ctx, &ids, `SELECT p.user_id FROM staff_permission_sets p JOIN users u ON u.id = p.user_id
		WHERE p.set_name = ? AND u.disabled_at IS NULL ORDER BY p.user_id`+tx.forUpdate("p"), portal.SetAdmin)
	if err != nil {
		return nil, fmt.Errorf("store: lock admins: %w", err)
	}
	return ids, nil
}

// ReplaceStaffSets makes sets exactly the permission sets of userID:
// grants missing ones (recording grantedBy, 0 for the system) and removes
// the others.
func (tx *Tx) ReplaceStaffSets(ctx context.Context, userID int64, sets []portal.PermissionSet, grantedBy int64) error {
	keep := make([]any, 0, len(sets)+1)
	keep = append(keep, userID)
	for _, set := range sets {
		keep = append(keep, string(set))
	}
	del := `DELETE FROM staff_permission_sets WHERE user_id = ?`
	if len(sets) > 0 {
		del += ` AND set_name NOT IN (?` + strings.Repeat(", ?", len(sets)-1) + `)`
	}
	if _, err := tx.exec(ctx, del, keep...); err != nil {
		return fmt.Errorf("store: remove staff sets: %w", err)
	}
	var by *int64
	if grantedBy != 0 {
		by = &grantedBy
	}
	for _, set := range sets {
		if _, err := tx.exec(ctx, `INSERT INTO staff_permission_sets (user_id, set_name, granted_by, granted_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (user_id, set_name) DO NOTHING`, userID, set, by, tx.now); err != nil {
			return fmt.Errorf("store: grant staff set %s: %w", set, err)
		}
	}
	return nil
}
