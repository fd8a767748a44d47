package credentials

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Form fields of the officers' actions.
const (
	FieldReason = "reason"
	FieldNote   = "note"
)

// maxNote is the longest note an officer may write, in characters.
const maxNote = 2000

// Mail causes of the credential template.
const (
	mailIssued      = "issued"
	mailRevoked     = "revoked"
	mailSuspended   = "suspended"
	mailReinstated  = "reinstated"
	pathCredentials = "/certifications"
)

// CredentialRow is a credential with its holder and certification.
type CredentialRow = store.CredentialRow

// searchLimit is how many credentials Search returns at most.
const searchLimit = 100

// Search finds credentials by public ID (any spelling ParseCredentialID
// reads) or by the holder's login ID or email address, newest first.
// portal.PermCredentialsManage.
func (s *Service) Search(ctx context.Context, actor portal.Actor, q string) ([]*CredentialRow, error) {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	id, _ := portal.ParseCredentialID(q)
	return s.st.ListCredentialRowsByHolder(ctx, id, q, searchLimit)
}

// Credential returns one credential with its holder and certification,
// for the console. portal.PermCredentialsManage.
func (s *Service) Credential(ctx context.Context, actor portal.Actor, id int64) (*CredentialRow, error) {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return nil, err
	}
	var out *CredentialRow
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.GetCredentialRow(ctx, id)
		return err
	})
	return out, err
}

// credentialState is a credential's status as the audit log records it.
type credentialState struct {
	RevokedAt        *time.Time `audit:"revoked_at"`
	RevocationReason string     `audit:"revocation_reason"`
	SuspendedAt      *time.Time `audit:"suspended_at"`
}

func stateOf(c *portal.Credential) credentialState {
	return credentialState{RevokedAt: c.RevokedAt, RevocationReason: c.RevocationReason, SuspendedAt: c.SuspendedAt}
}

// Refusals of the officers' actions.
var (
	errRevoked    = &portal.Error{Code: portal.EConflict, Message: "credentials.manage.error.revoked"}
	errSuperseded = &portal.Error{Code: portal.EConflict, Message: "credentials.manage.error.superseded"}
	errSuspended  = &portal.Error{Code: portal.EConflict, Message: "credentials.manage.error.suspended"}
	errNotSusp    = &portal.Error{Code: portal.EConflict, Message: "credentials.manage.error.not_suspended"}
)

// checkNote refuses a note longer than maxNote.
func checkNote(note string) *portal.FieldError {
	if len([]rune(note)) > maxNote {
		return &portal.FieldError{Field: FieldNote, Message: "credentials.manage.error.note_long", Data: map[string]any{"Count": maxNote}}
	}
	return nil
}

// Revoke revokes a credential for reason (portal.RevocationReasons;
// "other" needs a note), finally: its revocation bit is set in the same
// transaction, the change is audited with the note, credential.revoked
// is written and the holder is mailed the reason. A revoked or superseded
// credential is refused. portal.PermCredentialsManage and a recent proof
// (portal.ErrReauthRequired).
func (s *Service) Revoke(ctx context.Context, actor portal.Actor, id int64, reason, note string) error {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return err
	}
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	var fields []portal.FieldError
	switch {
	case reason == "":
		fields = append(fields, portal.FieldError{Field: FieldReason, Message: "credentials.manage.error.reason_required"})
	case !slices.Contains(portal.RevocationReasons, reason):
		fields = append(fields, portal.FieldError{Field: FieldReason, Message: "credentials.manage.error.reason_invalid"})
	case reason == portal.RevokeOther && note == "":
		fields = append(fields, portal.FieldError{Field: FieldNote, Message: "credentials.manage.error.note_required"})
	}
	if fe := checkNote(note); fe != nil {
		fields = append(fields, *fe)
	}
	if len(fields) > 0 {
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: fields}
	}
	return s.change(ctx, actor, id, "credential.revoked", note, func(tx *store.Tx, c *portal.Credential) (string, error) {
		if c.RevokedAt != nil {
			return "", errRevoked
		}
		if c.SupersededAt != nil {
			return "", errSuperseded
		}
		if err := s.revoke(ctx, tx, actor.UserID, c, reason); err != nil {
			return "", err
		}
		return mailRevoked, nil
	})
}

// Suspend suspends a current credential that is neither revoked nor
// suspended: its suspension bit is set, the change is audited with the
// note, credential.suspended is written and the holder is mailed.
// portal.PermCredentialsManage and a recent proof.
func (s *Service) Suspend(ctx context.Context, actor portal.Actor, id int64, note string) error {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return err
	}
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if fe := checkNote(note); fe != nil {
		return &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: []portal.FieldError{*fe}}
	}
	return s.change(ctx, actor, id, "credential.suspended", note, func(tx *store.Tx, c *portal.Credential) (string, error) {
		switch {
		case c.RevokedAt != nil:
			return "", errRevoked
		case c.SupersededAt != nil:
			return "", errSuperseded
		case c.SuspendedAt != nil:
			return "", errSuspended
		}
		if err := tx.SuspendCredential(ctx, c.ID); err != nil {
			return "", err
		}
		if err := s.MarkStatus(ctx, tx, c, portal.StatusSuspension, true); err != nil {
			return "", err
		}
		return mailSuspended, tx.AppendEvent(portal.EventCredentialSuspended, portal.SubjectCredential, c.ID, string(c.CredentialID),
			actor.UserID, map[string]any{"user_certification": c.UserCertificationID, "cycle": c.Cycle})
	})
}

// Lift lifts the suspension of a suspended credential that is not
// revoked: its suspension bit is cleared, the change is audited,
// credential.reinstated is written and the holder is mailed.
// portal.PermCredentialsManage and a recent proof.
func (s *Service) Lift(ctx context.Context, actor portal.Actor, id int64) error {
	if err := actor.Authorize(portal.PermCredentialsManage); err != nil {
		return err
	}
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return err
	}
	return s.change(ctx, actor, id, "credential.reinstated", "", func(tx *store.Tx, c *portal.Credential) (string, error) {
		switch {
		case c.RevokedAt != nil:
			return "", errRevoked
		case c.SuspendedAt == nil:
			return "", errNotSusp
		}
		if err := tx.LiftCredentialSuspension(ctx, c.ID); err != nil {
			return "", err
		}
		if err := s.MarkStatus(ctx, tx, c, portal.StatusSuspension, false); err != nil {
			return "", err
		}
		return mailReinstated, tx.AppendEvent(portal.EventCredentialReinstated, portal.SubjectCredential, c.ID, string(c.CredentialID),
			actor.UserID, map[string]any{"user_certification": c.UserCertificationID, "cycle": c.Cycle})
	})
}

// change runs one officer's action on credential id in one transaction:
// the credential locked, apply, the audit entry with the state before and
// after and the note as detail, and the holder's mail for the cause apply
// returns.
func (s *Service) change(ctx context.Context, actor portal.Actor, id int64, action, note string,
	apply func(tx *store.Tx, c *portal.Credential) (string, error)) error {
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.LockCredential(ctx, id)
		if err != nil {
			return err
		}
		cause, err := apply(tx, c)
		if err != nil {
			return err
		}
		after, err := tx.GetCredential(ctx, c.ID)
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, actor, action, "credential:"+strconv.FormatInt(c.ID, 10), note,
			portal.Diff(stateOf(c), stateOf(after))); err != nil {
			return err
		}
		// A suspension may be lifted and made again: those mails count by
		// the credential's change time.
		return s.mailHolder(ctx, tx, after, cause, fmt.Sprintf("mail.credential:%s:%d:%d", cause, after.ID, after.UpdatedAt.UnixNano()))
	})
	if err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return portal.ErrNotFound
		}
		return err
	}
	if s.cfg.Kick != nil {
		s.cfg.Kick()
	}
	return nil
}

// mailHolder queues the credential mail for cause to the holder, in
// their language, once per job key.
func (s *Service) mailHolder(ctx context.Context, tx *store.Tx, c *portal.Credential, cause, key string) error {
	row, err := tx.GetCredentialRow(ctx, c.ID)
	if err != nil {
		return err
	}
	base := strings.TrimRight(s.cfg.BaseURL, "/")
	data := map[string]any{"Name": row.FirstName, "Status": cause, "Certification": row.CertificationName,
		"CredentialID": c.CredentialID.String(), "VerifyURL": s.CredentialURL(c.CredentialID), "Link": base + pathCredentials}
	if cause == mailRevoked {
		data["Reason"] = c.RevocationReason
	}
	msg := mail.Message{To: row.Email, ToName: row.FirstName + " " + row.LastName, Lang: row.Language, Template: "credential", Data: data}
	if err := jobs.Enqueue(ctx, tx, mail.KindSend, msg, jobs.UniqueKey(key)); err != nil {
		return fmt.Errorf("credentials: queue %s mail: %w", cause, err)
	}
	return nil
}
