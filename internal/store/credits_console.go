package store

import (
	"context"
	"fmt"
	"strings"

	"example.org/certportal/internal/portal"
)

// Continuing education in the console: the versions of an activity type,
// the queue's totals, the candidates named in it and the CE reviewers a
// submission may be assigned to.

// ListCEActivityVersions returns every version of the type with code,
// newest first; none when the code is not in the catalogue.
func (s *Store) ListCEActivityVersions(ctx context.Context, code string) ([]*portal.CEActivityType, error) {
	var out []*portal.CEActivityType
	if err := s.sel(ctx, &out, `SELECT `+ceVersionColumns+ceVersionFrom+` WHERE t.code = ? ORDER BY v.version DESC`, code); err != nil {
		return nil, fmt.Errorf("store: versions of activity type %s: %w", code, err)
	}
	return out, decodeCETexts(out...)
}

// ceQueueWhere is the condition of the queue's filter; with cursor, the
// rows after the keyset cursor only.
func ceQueueWhere(f CEQueueFilter, cursor bool) (string, []any) {
	where, args := []string{"state IN ('pending', 'info', 'appealed')"}, []any{}
	if f.TypeID != 0 {
		where, args = append(where, "type_id = ?"), append(args, f.TypeID)
	}
	if f.CertificationID != 0 {
		where, args = append(where, `(certification_id = ? OR (certification_id IS NULL AND EXISTS (SELECT 1 FROM user_certifications uc
			WHERE uc.user_id = ce_submissions.user_id AND uc.certification_id = ? AND uc.withdrawn_at IS NULL)))`), append(args, f.CertificationID, f.CertificationID)
	}
	if !f.SubmittedBefore.IsZero() {
		where, args = append(where, "submitted_at < ?"), append(args, f.SubmittedBefore.UTC())
	}
	if f.Flagged {
		where = append(where, "flagged")
	}
	if f.AssigneeID != 0 {
		where, args = append(where, "assignee_id = ?"), append(args, f.AssigneeID)
	} else if f.Unassigned {
		where = append(where, "assignee_id IS NULL")
	}
	if cursor && !f.AfterAt.IsZero() {
		where, args = append(where, "(submitted_at, id) > (?, ?)"), append(args, f.AfterAt.UTC(), f.AfterID)
	}
	return strings.Join(where, " AND "), args
}

// CEQueueTotals counts what a queue filter selects on every page.
type CEQueueTotals struct {
	Total int
	// PastTarget counts those not waiting for the candidate whose target
	// date is before today.
	PastTarget int
}

// CountCEQueue counts the open submissions the filter selects on every
// page (the cursor and limit are ignored), and those past their target
// date: not waiting for the candidate, target before today (YYYY-MM-DD).
//
// Two counts rather than one pass: the total is read from the queue's
// partial indexes alone, and those past target from the range of the
// target index that lies before today; a single pass summing a condition
// on every open row would read each of their rows (about 150 times the
// page itself with 100,000 open submissions).
func (s *Store) CountCEQueue(ctx context.Context, f CEQueueFilter, today string) (CEQueueTotals, error) {
	where, args := ceQueueWhere(f, false)
	var out CEQueueTotals
	if err := s.get(ctx, &out.Total, `SELECT COUNT(*) FROM ce_submissions WHERE `+where, args...); err != nil {
		return out, fmt.Errorf("store: count review queue: %w", err)
	}
	q := `SELECT COUNT(*) FROM ce_submissions WHERE ` + where + ` AND state IN ('pending', 'appealed') AND target_on < ?`
	if err := s.get(ctx, &out.PastTarget, q, append(args, today)...); err != nil {
		return out, fmt.Errorf("store: count review queue past target: %w", err)
	}
	return out, nil
}

// ListUsersByIDs returns the accounts with the given IDs (those that
// exist), in no particular order.
func (s *Store) ListUsersByIDs(ctx context.Context, ids []int64) ([]*portal.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var out []*portal.User
	if err := s.sel(ctx, &out, `SELECT `+userColumns+` FROM users WHERE id IN (`+marks(len(ids))+`)`, args...); err != nil {
		return nil, fmt.Errorf("store: users by ID: %w", err)
	}
	return out, nil
}

// ListStaffWithSets returns the enabled accounts holding any of sets, by
// name.
func (s *Store) ListStaffWithSets(ctx context.Context, sets []portal.PermissionSet) ([]*portal.User, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	args := make([]any, len(sets))
	for i, set := range sets {
		args[i] = string(set)
	}
	var out []*portal.User
	if err := s.sel(ctx, &out, `SELECT `+userColumns+` FROM users WHERE disabled_at IS NULL AND id IN
		(SELECT user_id FROM staff_permission_sets WHERE set_name IN (`+marks(len(sets))+`))
		ORDER BY last_name, first_name, id`, args...); err != nil {
		return nil, fmt.Errorf("store: staff with sets: %w", err)
	}
	return out, nil
}

// LockStaffSets returns the permission sets of an enabled account (none
// for a disabled or unknown one) and, on PostgreSQL, locks the account and
// its grants until the transaction ends, so that a decision that depends
// on them cannot race a change of them.
func (tx *Tx) LockStaffSets(ctx context.Context, userID int64) ([]portal.PermissionSet, error) {
	var sets []portal.PermissionSet
	if err := tx.sel(ctx, &sets, `SELECT p.set_name FROM staff_permission_sets p JOIN users u ON u.id = p.user_id
		WHERE p.user_id = ? AND u.disabled_at IS NULL ORDER BY p.set_name`+tx.forUpdate("p, u"), userID); err != nil {
		return nil, fmt.Errorf("store: lock staff sets of %d: %w", userID, err)
	}
	return portal.SortSets(sets), nil
}
