package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// CertificateCheckCursorKey is the app_settings row holding the id of
// the credential up to which every certificate is checked (or needs no
// check): each run starts after it.
const CertificateCheckCursorKey = "credentials.certificate_checks"

// CheckCertificates lays out, once, the certificate of every credential
// signed since the last run, without signing or storing it, so that a name
// no bundled font can draw reaches staff when the credential is issued
// rather than when the holder first downloads. React runs it after
// signing. It returns how many it checked; a certificate that fails for
// another reason is logged and tried again on the next run.
//
// A run starts after the cursor and moves it over the credentials left
// with nothing to do, up to the first one that still has (not signed yet,
// or failed): later ones are checked too, and the next run passes over
// them again. Two runs at once may lay out the same certificate twice and
// move the cursor back a little; both only repeat work.
func (s *Service) CheckCertificates(ctx context.Context) (int, error) {
	if s.cfg.Documents == nil {
		return 0, nil
	}
	logo, err := s.logo(ctx)
	if err != nil {
		return 0, err
	}
	cursor, err := s.certificateCursor(ctx)
	if err != nil {
		return 0, err
	}
	var (
		checked int
		after   = cursor
		done    = cursor // every credential up to done has nothing left
		gap     bool     // a credential after done still has work
		errs    []error
	)
	for {
		list, err := s.st.ListCertificatesToCheck(ctx, after, signBatch)
		if err != nil {
			return checked, err
		}
		for _, c := range list {
			after = c.ID
			switch {
			case c.Settled:
			case !c.Signed:
				gap = true
			default:
				if err := s.checkCertificate(ctx, c.ID, logo); err != nil {
					s.log.ErrorContext(ctx, "credentials: certificate check failed", "credential", c.ID, "error", err)
					errs = append(errs, err)
					gap = true
					continue
				}
				checked++
			}
			if !gap {
				done = c.ID
			}
		}
		if len(list) < signBatch {
			break
		}
	}
	if done > cursor {
		if err := s.st.Transact(ctx, func(tx *store.Tx) error {
			return tx.SetSetting(ctx, CertificateCheckCursorKey, strconv.FormatInt(done, 10))
		}); err != nil {
			errs = append(errs, err)
		}
	}
	return checked, errors.Join(errs...)
}

// certificateCursor returns the id up to which every certificate is
// checked; 0 before the first run.
func (s *Service) certificateCursor(ctx context.Context) (int64, error) {
	raw, err := s.st.GetSetting(ctx, CertificateCheckCursorKey)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, err
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("credentials: certificate check cursor %q: %w", raw, err)
	}
	return n, nil
}

func (s *Service) checkCertificate(ctx context.Context, id int64, logo []byte) error {
	var (
		in     certdoc.Certificate
		holder int64
	)
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.GetCredential(ctx, id)
		if err != nil {
			return err
		}
		uc, err := tx.GetUserCertification(ctx, c.UserCertificationID)
		if err != nil {
			return err
		}
		holder = uc.UserID
		in, err = s.certificateLayout(ctx, tx, uc, c, logo)
		return err
	})
	if err != nil {
		return err
	}
	_, layoutErr := s.cfg.Documents.Certificate(in)
	if err := s.recordCheck(ctx, portal.DocumentCertificate, id, holder, layoutErr); err != nil {
		return err
	}
	var te *certdoc.TextError
	if layoutErr != nil && !errors.As(layoutErr, &te) {
		return fmt.Errorf("credentials: lay out the certificate of credential %d: %w", id, layoutErr)
	}
	return nil
}

// CertificateCheck is what staff see of whether a credential's
// certificate can be made.
type CertificateCheck struct {
	// Checked is false until the certificate was first laid out.
	Checked bool
	// Problem is the message for staff (a character no bundled font
	// has), nil when the certificate can be made.
	Problem *portal.Error
}

// CertificateCheck returns the last check of the certificate of
// credential id (its store ID). It needs portal.PermCredentialsManage.
func (s *Service) CertificateCheck(ctx context.Context, actor portal.Actor, id int64) (CertificateCheck, error) {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return CertificateCheck{}, err
	}
	k, err := s.st.GetDocumentCheck(ctx, portal.DocumentCertificate, id)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		return CertificateCheck{}, nil
	case err != nil:
		return CertificateCheck{}, err
	}
	out := CertificateCheck{Checked: true}
	if k.Problem != "" {
		var data map[string]any
		if err := json.Unmarshal([]byte(k.ProblemData), &data); err != nil {
			return CertificateCheck{}, fmt.Errorf("credentials: check of certificate %d: %w", id, err)
		}
		out.Problem = &portal.Error{Code: portal.EInvalid, Message: k.Problem, Data: data}
	}
	return out, nil
}

// PreparingCertificates returns the store IDs of the holder's credentials
// whose certificate cannot be made yet (staff have been told): their
// pages say the certificate is being prepared instead of offering it.
func (s *Service) PreparingCertificates(ctx context.Context, actor portal.Actor) (map[int64]bool, error) {
	out := map[int64]bool{}
	if actor.Subject() == 0 {
		return out, nil
	}
	list, err := s.st.ListDocumentProblems(ctx, actor.Subject(), portal.DocumentCertificate)
	if err != nil {
		return nil, err
	}
	for _, k := range list {
		out[k.SubjectID] = true
	}
	return out, nil
}
