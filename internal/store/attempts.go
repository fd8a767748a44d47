package store

import (
	"context"
	"fmt"

	"example.org/certportal/internal/portal"
)

// RecordAttempt adds an exam attempt to a candidate's history.
func (tx *Tx) RecordAttempt(ctx context.Context, a portal.ExamAttempt) (*portal.ExamAttempt, error) {
	var out portal.ExamAttempt
	err := tx.get(ctx, &out, `INSERT INTO exam_attempts (user_id, exam_id, booking_id, taken_at, passed, score, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, user_id, exam_id, booking_id, taken_at, passed, score, created_at`,
		a.UserID, a.ExamID, a.BookingID, a.TakenAt.UTC(), a.Passed, a.Score, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: record attempt: %w", err)
	}
	return &out, nil
}

// FindLastFailedAttemptByExam returns the candidate's most recent failed attempt at
// the exam, or portal.ErrNotFound.
func (tx *Tx) FindLastFailedAttemptByExam(ctx context.Context, userID, examID int64) (*portal.ExamAttempt, error) {
	var out portal.ExamAttempt
	err := tx.get(ctx, &out, `SELECT id, user_id, exam_id, booking_id, taken_at, passed, score, created_at FROM exam_attempts
		WHERE user_id = ? AND exam_id = ? AND passed = ? ORDER BY taken_at DESC LIMIT 1`, userID, examID, false)
	if err != nil {
		return nil, fmt.Errorf("store: last failed attempt: %w", err)
	}
	return &out, nil
}
