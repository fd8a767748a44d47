package credits

import (
	"context"
	"errors"
	"io"
	"slices"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/uploads"
)

// setEvidence makes ids the evidence of the candidate's submission. Each
// upload given is marked attached, so the upload sweep keeps it for as
// long as the submission names it; an upload no longer given is detached
// and the sweep removes it in time (docs/uploads.md).
func setEvidence(ctx context.Context, tx *store.Tx, uid, submissionID int64, ids []int64) error {
	cur, err := tx.LockCESubmission(ctx, submissionID)
	if err != nil {
		return err
	}
	if err := tx.SetCEEvidence(ctx, submissionID, ids); err != nil {
		return err
	}
	if err := attachEvidence(ctx, tx, uid, ids); err != nil {
		return err
	}
	return detachEvidence(ctx, tx, cur.Evidence, ids)
}

// addEvidence adds ids to the evidence of the candidate's submission (an
// appeal's new files) and marks them attached.
func addEvidence(ctx context.Context, tx *store.Tx, uid, submissionID int64, ids []int64) error {
	if err := tx.AddCEEvidence(ctx, submissionID, ids); err != nil {
		return err
	}
	return attachEvidence(ctx, tx, uid, ids)
}

// releaseEvidence frees the evidence of a withdrawn submission: the files
// may be given again, and until they are the sweep counts them as attached
// to nothing.
func releaseEvidence(ctx context.Context, tx *store.Tx, submissionID int64) error {
	cur, err := tx.LockCESubmission(ctx, submissionID)
	if err != nil {
		return err
	}
	if err := tx.ReleaseCEEvidence(ctx, submissionID); err != nil {
		return err
	}
	return detachEvidence(ctx, tx, cur.Evidence, nil)
}

func attachEvidence(ctx context.Context, tx *store.Tx, uid int64, ids []int64) error {
	err := uploads.Attach(ctx, tx, uid, portal.UploadCEEvidence, ids...)
	switch {
	case errors.Is(err, uploads.ErrQuarantined):
		return evidenceRefusal("credits.error.evidence_quarantined")
	case isNotFound(err):
		// Removed by the sweep, or never the candidate's: checkEvidence
		// read it a moment ago, so the sweep won the race.
		return evidenceRefusal("credits.error.evidence_unknown")
	}
	return err
}

func detachEvidence(ctx context.Context, tx *store.Tx, old, kept []int64) error {
	for _, id := range old {
		if slices.Contains(kept, id) {
			continue
		}
		if err := uploads.Detach(ctx, tx, id); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

func evidenceRefusal(message string) error {
	var v portal.Validation
	v.Add(FieldEvidence, message, nil)
	return v.Err()
}

// OpenEvidence opens one file of a submission for the actor: the candidate
// whose submission it is, or a CE reviewer once it is submitted. The file's
// scan state decides the rest (uploads.CheckOpen): a quarantined file opens
// for nobody, and staff open a pending file never and an unscanned one only
// with acknowledged set, after the page has shown them the warning.
func (s *Service) OpenEvidence(ctx context.Context, actor portal.Actor, submissionID, uploadID int64, acknowledged bool) (*portal.Upload, io.ReadSeekCloser, error) {
	if s.cfg.Uploads == nil {
		return nil, nil, errors.New("credits: open evidence: no upload pipeline configured")
	}
	sub, err := s.Submission(ctx, actor, submissionID)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(sub.Evidence, uploadID) {
		return nil, nil, portal.ErrNotFound
	}
	return s.cfg.Uploads.Open(ctx, uploadID, uploads.Access{Staff: !actor.Owns(sub.UserID), AcknowledgeUnscanned: acknowledged})
}

// Evidence returns the files of a submission the actor may see (as
// Submission decides), without opening them: their names and scan states.
func (s *Service) Evidence(ctx context.Context, actor portal.Actor, submissionID int64) ([]*portal.Upload, error) {
	sub, err := s.Submission(ctx, actor, submissionID)
	if err != nil {
		return nil, err
	}
	out := make([]*portal.Upload, 0, len(sub.Evidence))
	for _, id := range sub.Evidence {
		u, err := s.st.FindUploadByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
