package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"example.org/certportal/internal/certdoc"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// CheckCertificates lays out, once, the certificate of every credential
// signed since the last run, without signing or storing it, so that a name
// no bundled font can draw reaches staff when the credential is issued
// rather than when the holder first downloads. React runs it after
// signing. It returns how many it checked; a certificate that fails for
// another reason is logged and tried again on the next run.
func (s *Service) CheckCertificates(ctx context.Context) (int, error) {
	if s.cfg.Documents == nil {
		return 0, nil
	}
	logo, err := s.logo(ctx)
	if err != nil {
		return 0, err
	}
	var (
		checked int
		after   int64
		errs    []error
	)
	for {
		ids, err := s.st.ListUncheckedCertificates(ctx, after, signBatch)
		if err != nil {
			return checked, err
		}
		for _, id := range ids {
			after = id
			if err := s.checkCertificate(ctx, id, logo); err != nil {
				s.log.ErrorContext(ctx, "credentials: certificate check failed", "credential", id, "error", err)
				errs = append(errs, err)
				continue
			}
			checked++
		}
		if len(ids) < signBatch {
			return checked, errors.Join(errs...)
		}
	}
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
