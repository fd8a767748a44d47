package credits

import (
	"context"
	"errors"
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
