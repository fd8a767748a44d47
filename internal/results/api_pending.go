package results

// This file holds the signatures of the service's methods until each is
// written in its own file; each returns errPending.

import (
	"context"
	"errors"

	"example.org/certportal/internal/portal"
)

var errPending = errors.New("results: not written yet")

// Catalogue: Catalogue lists the certification catalogue (anyone);
// staff with portal.PermExamsRead read one entry; PermExamsManage changes it.
func (s *Service) Catalogue(ctx context.Context) ([]*portal.Certification, error) {
	return nil, errPending
}
func (s *Service) Certification(ctx context.Context, actor portal.Actor, id int64) (*portal.Certification, error) {
	return nil, errPending
}
func (s *Service) CreateCertification(ctx context.Context, actor portal.Actor, c portal.Certification) (*portal.Certification, error) {
	return nil, errPending
}
func (s *Service) UpdateCertification(ctx context.Context, actor portal.Actor, c portal.Certification) (*portal.Certification, error) {
	return nil, errPending
}

// Console: Enter (PermResultsEnter) records a result that waits for a
// second officer; Confirm (PermResultsConfirm, another officer) makes it
// count; Reject (PermResultsConfirm) discards an entered result with a
// reason; Awaiting lists entered and held results; Attempt reads one
// (any results permission); Hold and Release (PermResultsConfirm) put a
// result under review and back; Correct (PermResultsCorrect) changes a
// published result; ListForCandidate lists a candidate's attempts for
// staff (PermResultsEnter or PermUsersRead).
func (s *Service) Enter(ctx context.Context, actor portal.Actor, in Entry) (*portal.Attempt, error) {
	return nil, errPending
}
func (s *Service) Confirm(ctx context.Context, actor portal.Actor, attemptID int64) (*portal.Attempt, error) {
	return nil, errPending
}
func (s *Service) Reject(ctx context.Context, actor portal.Actor, attemptID int64, reason string) error {
	return errPending
}
func (s *Service) Awaiting(ctx context.Context, actor portal.Actor) ([]*portal.AttemptDetail, error) {
	return nil, errPending
}
func (s *Service) Attempt(ctx context.Context, actor portal.Actor, attemptID int64) (*portal.AttemptDetail, error) {
	return nil, errPending
}
func (s *Service) Hold(ctx context.Context, actor portal.Actor, attemptID int64, reason string) (*portal.Attempt, error) {
	return nil, errPending
}
func (s *Service) Release(ctx context.Context, actor portal.Actor, attemptID int64) (*portal.Attempt, error) {
	return nil, errPending
}
func (s *Service) Correct(ctx context.Context, actor portal.Actor, attemptID int64, c Correction) (*portal.Attempt, error) {
	return nil, errPending
}

// Candidate (own records only, Actor.Owns / Actor.Subject): History is the
// exam history; ScoreReport an official result's report (not found before
// publication); Certifications the earned certifications with status;
// Benefits what active ones give; Summary the dashboard line.
func (s *Service) History(ctx context.Context, actor portal.Actor) ([]HistoryEntry, error) {
	return nil, errPending
}
func (s *Service) ScoreReport(ctx context.Context, actor portal.Actor, attemptID int64) (*ScoreReport, error) {
	return nil, errPending
}
func (s *Service) Certifications(ctx context.Context, actor portal.Actor) ([]CertificationView, error) {
	return nil, errPending
}
func (s *Service) Benefits(ctx context.Context, actor portal.Actor) ([]Benefit, error) {
	return nil, errPending
}
func (s *Service) Summary(ctx context.Context, actor portal.Actor) (*Summary, error) {
	return nil, errPending
}

// Publish is the due work's handler: it publishes the attempt if it is
// still preliminary and its official instant has come, exactly once.
func (s *Service) Publish(ctx context.Context, attemptID int64) error { return errPending }
