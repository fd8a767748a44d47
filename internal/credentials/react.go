package credentials

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"example.org/certportal/internal/failpoint"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// KindReact is the job that runs React soon after a commit wrote a
// certification event.
const KindReact = "credentials.react"

// EventCursorKey is the app_settings row holding the id of the last event
// React handled.
const EventCursorKey = "credentials.events"

const cursorKey = EventCursorKey

// reactBatch is how many events one transaction of React handles.
const reactBatch = 100

// React handles the certification events written since it last ran, in
// id order: certification.issued issues the certification's credential
// (Issue), certification.withdrawn revokes it with the reason "issued in
// error", certification.renewed issues the new cycle's credential and
// supersedes the old one. Each batch of events and the cursor past them commit together
// under the cursor's lock, so concurrent runs on any number of instances
// queue and each event is handled once. It then signs the credentials
// issued (SignPending), outside those transactions. It returns how many
// events it handled.
func (s *Service) React(ctx context.Context) (int, error) {
	var total int
	for {
		var n int
		err := s.st.Transact(ctx, func(tx *store.Tx) error {
			raw, err := tx.LockSetting(ctx, cursorKey, "0")
			if err != nil {
				return err
			}
			after, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return fmt.Errorf("credentials: event cursor %q: %w", raw, err)
			}
			events, err := tx.ListEvents(ctx, portal.EventFilter{After: after, Limit: reactBatch,
				Types: []portal.EventType{portal.EventCertificationIssued, portal.EventCertificationWithdrawn, portal.EventCertificationRenewed}})
			if err != nil {
				return err
			}
			for _, e := range events {
				switch e.Type {
				case portal.EventCertificationIssued:
					err = s.reactIssued(ctx, tx, e.SubjectID)
				case portal.EventCertificationWithdrawn:
					err = s.reactWithdrawn(ctx, tx, e.SubjectID)
				case portal.EventCertificationRenewed:
					err = s.reactRenewed(ctx, tx, e.SubjectID)
				}
				if err != nil {
					return fmt.Errorf("credentials: event %d (%s): %w", e.ID, e.Type, err)
				}
				after = e.ID
			}
			n = len(events)
			if n == 0 {
				return nil
			}
			return tx.SetSetting(ctx, cursorKey, strconv.FormatInt(after, 10))
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < reactBatch {
			break
		}
	}
	_, err := s.SignPending(ctx)
	if _, cerr := s.CheckCertificates(ctx); cerr != nil {
		err = errors.Join(err, cerr)
	}
	return total, err
}

// reactIssued issues the credential of an earned certification. A
// certification withdrawn since gets none (its withdrawal event follows).
// A certification given back after a withdrawal whose credential was
// revoked gets a new credential, which supersedes the revoked one.
func (s *Service) reactIssued(ctx context.Context, tx *store.Tx, ucID int64) error {
	uc, err := tx.GetUserCertification(ctx, ucID)
	if err != nil {
		return err
	}
	if uc.WithdrawnAt != nil {
		return nil
	}
	prev, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		prev = nil
	case err != nil:
		return err
	case prev.RevokedAt == nil:
		return nil // issued already
	default:
		if err := tx.SupersedeCredential(ctx, prev.ID); err != nil {
			return err
		}
	}
	c, err := s.Issue(ctx, tx, uc.ID)
	if err != nil {
		return err
	}
	if prev != nil {
		return tx.UpdateCredentialSuccessor(ctx, prev.ID, c.ID)
	}
	return nil
}

// reactRenewed issues the credential of a renewed certification's new
// cycle and supersedes the credentials of its earlier cycles, each then
// pointing to the new one: still verifiable, never revoked. A revoked
// credential stays revoked. Handled twice, it finds the new credential
// issued and nothing left to supersede.
func (s *Service) reactRenewed(ctx context.Context, tx *store.Tx, ucID int64) error {
	uc, err := tx.GetUserCertification(ctx, ucID)
	if err != nil {
		return err
	}
	if uc.WithdrawnAt != nil {
		return nil
	}
	c, err := s.Issue(ctx, tx, uc.ID)
	if err != nil {
		return err
	}
	failpoint.Inject(failpoint.RenewalCredentialIssued)
	for cycle := 1; cycle < uc.Cycle; cycle++ {
		prev, err := tx.FindCredentialByUserCertification(ctx, uc.ID, cycle)
		if errors.Is(err, portal.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if prev.RevokedAt != nil {
			continue
		}
		if prev.SupersededAt == nil && prev.SuspendedAt != nil {
			if err := s.carrySuspension(ctx, tx, prev, c); err != nil {
				return err
			}
		}
		if err := tx.SupersedeCredential(ctx, prev.ID); err != nil {
			return err
		}
		if err := tx.UpdateCredentialSuccessor(ctx, prev.ID, c.ID); err != nil {
			return err
		}
	}
	return nil
}

// carrySuspension suspends next, the credential of a renewed cycle, when
// prev, the one it supersedes, was suspended: a renewal extends the
// certification's period but does not lift a suspension, which only a
// credential officer does (Lift, on the new credential).
func (s *Service) carrySuspension(ctx context.Context, tx *store.Tx, prev, next *portal.Credential) error {
	if next.SuspendedAt != nil {
		return nil
	}
	if err := tx.SuspendCredential(ctx, next.ID); err != nil {
		return err
	}
	if err := s.MarkStatus(ctx, tx, next, portal.StatusSuspension, true); err != nil {
		return err
	}
	return tx.AppendEvent(portal.EventCredentialSuspended, portal.SubjectCredential, next.ID, string(next.CredentialID), 0,
		map[string]any{"user_certification": next.UserCertificationID, "cycle": next.Cycle, "carried_from": prev.ID})
}

// reactWithdrawn revokes the current credential of a withdrawn
// certification, reason "issued in error", and sets its revocation bit.
func (s *Service) reactWithdrawn(ctx context.Context, tx *store.Tx, ucID int64) error {
	uc, err := tx.GetUserCertification(ctx, ucID)
	if err != nil {
		return err
	}
	c, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
	if errors.Is(err, portal.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	return s.revoke(ctx, tx, 0, c, portal.RevokeIssuedInError)
}

// revoke revokes a credential for reason on behalf of user actorID (0:
// the system), in the caller's transaction:
// final, its revocation bit set, credential.revoked written. A credential
// revoked already stays as it was.
func (s *Service) revoke(ctx context.Context, tx *store.Tx, actorID int64, c *portal.Credential, reason string) error {
	ok, err := tx.RevokeCredential(ctx, c.ID, reason)
	if err != nil || !ok {
		return err
	}
	if err := s.MarkStatus(ctx, tx, c, portal.StatusRevocation, true); err != nil {
		return err
	}
	return tx.AppendEvent(portal.EventCredentialRevoked, portal.SubjectCredential, c.ID, string(c.CredentialID), actorID,
		map[string]any{"user_certification": c.UserCertificationID, "cycle": c.Cycle, "reason": reason})
}
