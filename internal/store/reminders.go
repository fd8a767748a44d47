package store

import (
	"context"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

// ReminderCandidate is an earned certification in force (not withdrawn,
// revoked, suspended or superseded) whose expiry lies in the window a
// reminder sweep looks at, with the fewest months before expiry of the
// reminders already sent for its current expiry day (-1 for none).
type ReminderCandidate struct {
	portal.UserCertification
	SentMin int `db:"sent_min"`
}

// ReminderCursor is where a listing of reminder candidates resumes: after
// the certification expiring at ExpiresAt with ID (zero: from the start).
type ReminderCursor struct {
	ExpiresAt time.Time
	ID        int64
}

// ListReminderCandidates returns, by expiry and id after the cursor, at
// most limit earned certifications in force that expire after from and at
// or before to, each with the reminders sent for its current expiry day.
// The order follows the index on expires_at, so each page reads only its
// rows.
func (s *Store) ListReminderCandidates(ctx context.Context, from, to time.Time, after ReminderCursor, limit int) ([]*ReminderCandidate, error) {
	var out []*ReminderCandidate
	lower, args := `uc.expires_at > ?`, []any{from.UTC()}
	if after.ID != 0 {
		lower, args = `(uc.expires_at, uc.id) > (?, ?)`, []any{after.ExpiresAt.UTC(), after.ID}
	}
	args = append(args, to.UTC(), limit)
	err := s.sel(ctx, &out, `SELECT `+qualify("uc", userCertificationColumns)+`,
		COALESCE((SELECT MIN(r.months_before) FROM certification_reminders r
			WHERE r.user_certification_id = uc.id AND r.expires_on = uc.expires_on), -1) AS sent_min
		FROM user_certifications uc
		WHERE `+lower+` AND uc.expires_at <= ?
		AND uc.withdrawn_at IS NULL AND uc.revoked_at IS NULL AND uc.suspended_at IS NULL AND uc.superseded_by IS NULL
		ORDER BY uc.expires_at, uc.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list reminder candidates: %w", err)
	}
	return out, nil
}

// LockUserCertificationDetail returns an earned certification with its
// catalogue names and, on PostgreSQL, locks its row until the transaction
// ends (a renewal that extends it waits, and so does a reminder), or
// portal.ErrNotFound.
func (tx *Tx) LockUserCertificationDetail(ctx context.Context, id int64) (*portal.UserCertificationDetail, error) {
	if tx.s.engine == Postgres {
		var locked int64
		if err := tx.get(ctx, &locked, `SELECT id FROM user_certifications WHERE id = ? FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("store: lock user certification %d: %w", id, err)
		}
	}
	var out portal.UserCertificationDetail
	q := fmt.Sprintf(userCertificationDetailSelect, qualify("uc", userCertificationColumns)) + ` WHERE uc.id = ?`
	if err := tx.get(ctx, &out, q, id); err != nil {
		return nil, fmt.Errorf("store: lock user certification %d: %w", id, err)
	}
	return &out, nil
}

// CertificationReminder is a reminder sent (or the expiry notice, Months
// 0): one per earned certification, expiry day and months before it.
type CertificationReminder struct {
	ID                  int64
	UserCertificationID int64
	ExpiresOn           string
	MonthsBefore        int
	Cycle               int
	Missing             int
	Pending             int
	SentAt              time.Time
}

// InsertCertificationReminder records a reminder and reports whether it
// did: false when this one was recorded already (by another instance or an
// earlier run), so its mail is not queued twice.
func (tx *Tx) InsertCertificationReminder(ctx context.Context, r CertificationReminder) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO certification_reminders (user_certification_id, expires_on, months_before, cycle, missing, pending, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.UserCertificationID, r.ExpiresOn, r.MonthsBefore, r.Cycle, r.Missing, r.Pending, tx.now)
	if err != nil {
		return false, fmt.Errorf("store: insert certification reminder: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: insert certification reminder: %w", err)
	}
	return n == 1, nil
}

// ListCertificationReminders returns the reminders recorded for an earned
// certification, oldest first.
func (s *Store) ListCertificationReminders(ctx context.Context, userCertificationID int64) ([]*CertificationReminder, error) {
	var out []*CertificationReminder
	if err := s.sel(ctx, &out, `SELECT id, user_certification_id, expires_on, months_before, cycle, missing, pending, sent_at
		FROM certification_reminders WHERE user_certification_id = ? ORDER BY id`, userCertificationID); err != nil {
		return nil, fmt.Errorf("store: list certification reminders: %w", err)
	}
	return out, nil
}

// FindRenewalRetakeBlockByExam returns the microcredential in force (not
// withdrawn, revoked, suspended or superseded, not expired) that the
// candidate holds of the certification the exam earns or renews, expiring
// last, or portal.ErrNotFound: a booking of that exam is a renewal retake.
func (tx *Tx) FindRenewalRetakeBlockByExam(ctx context.Context, userID, examID int64) (*portal.UserCertification, error) {
	var out portal.UserCertification
	err := tx.get(ctx, &out, `SELECT `+userCertificationColumns+` FROM user_certifications
		WHERE user_id = ? AND kind = ? AND expires_at > ?
		  AND withdrawn_at IS NULL AND revoked_at IS NULL AND suspended_at IS NULL AND superseded_by IS NULL
		  AND certification_id IN (SELECT certification_id FROM certification_exams WHERE exam_id = ?)
		ORDER BY expires_at DESC LIMIT 1`, userID, portal.CertKindMicrocredential, tx.now, examID)
	if err != nil {
		return nil, fmt.Errorf("store: find renewal retake block: %w", err)
	}
	return &out, nil
}
