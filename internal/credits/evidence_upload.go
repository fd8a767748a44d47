package credits

import (
	"context"
	"errors"
	"io"
	"strconv"

	"example.org/certportal/internal/portal"
)

// errNoUploads is the refusal of evidence work on a portal without the
// upload pipeline.
var errNoUploads = errors.New("credits: no upload pipeline configured")

// AcceptEvidence takes one file of the signed-in candidate's as
// continuing-education evidence, through the upload pipeline
// (uploads.Service.Accept: its type, size and rate limits): the file is
// the actor's own, attached to nothing until a submission names its ID,
// and removed by the sweep if none does in time. A visitor is refused
// (portal.ErrUnauthorized).
func (s *Service) AcceptEvidence(ctx context.Context, actor portal.Actor, name string, body io.Reader) (*portal.Upload, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	if s.cfg.Uploads == nil {
		return nil, errNoUploads
	}
	return s.cfg.Uploads.Accept(ctx, uid, portal.UploadCEEvidence, name, body)
}

// EvidenceUpload returns one of the candidate's own evidence uploads, to
// show its name and scan state; anyone else's, or another purpose's, is
// portal.ErrNotFound.
func (s *Service) EvidenceUpload(ctx context.Context, actor portal.Actor, id int64) (*portal.Upload, error) {
	uid, err := subject(actor)
	if err != nil {
		return nil, err
	}
	if s.cfg.Uploads == nil {
		return nil, errNoUploads
	}
	u, err := s.cfg.Uploads.Find(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.OwnerID != uid || u.Purpose != portal.UploadCEEvidence {
		return nil, portal.ErrNotFound
	}
	return u, nil
}

// SubmitDraft sends the candidate's draft id for review as it is saved,
// with every check of Submit (confirmDuplicate as after the duplicate
// warning). Anyone else's draft is portal.ErrNotFound; a submission that
// is no longer a draft is a conflict (credits.error.not_editable).
func (s *Service) SubmitDraft(ctx context.Context, actor portal.Actor, id int64, confirmDuplicate bool) (*SubmitResult, error) {
	if _, err := subject(actor); err != nil {
		return nil, err
	}
	d, typ, err := s.SubmissionVersion(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !actor.Owns(d.UserID) {
		return nil, portal.ErrNotFound
	}
	if d.State != portal.CEDraft {
		return nil, errNotEditable
	}
	f := Submission{ID: d.ID, TypeCode: typ.Code, Title: d.Title, Provider: d.Provider, CompletedOn: d.CompletedOn, URL: d.URL,
		Notes: d.Notes, Attested: d.Attested, Evidence: d.Evidence, ConfirmDuplicate: confirmDuplicate}
	if d.DurationMinutes > 0 {
		f.Duration = strconv.Itoa(d.DurationMinutes)
	}
	if d.Claimed > 0 {
		f.Claimed = FormatCredits(d.Claimed)
	}
	if d.CertificationID != nil {
		f.CertificationID = *d.CertificationID
	}
	return s.Submit(ctx, actor, f)
}
