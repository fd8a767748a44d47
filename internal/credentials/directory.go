package credentials

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// The public directory: holders choose, per earned certification, to be
// listed (off by default). It shows each listed certification's current
// credential while it is valid: signed, and neither revoked, suspended,
// withdrawn nor expired. Only then does its verification page let search
// engines index it (Verification.Listed). Leaving takes effect at once.

// DirectoryPageSize is how many entries one page of the directory shows.
const DirectoryPageSize = 20

// Fields of the directory's search form.
const (
	FieldDirectoryCode = "code"
	FieldDirectoryName = "name"
)

// Longest search texts of the directory, in characters.
const (
	maxDirectoryCode = 40
	maxDirectoryName = 100
)

// DirectoryEntry is one listed credential: the holder's legal name, the
// certification, the issue day and the credential's public ID (for the
// link to its verification page). Never an email address or login ID.
type DirectoryEntry = store.DirectoryEntry

// DirectoryQuery is a search of the directory; Page counts from 1.
type DirectoryQuery struct {
	Code string
	Name string
	Page int
}

// DirectoryResult is one page of a directory search.
type DirectoryResult struct {
	Entries []*DirectoryEntry
	// Total counts every entry that matches; Page and Pages place this
	// page among them (Pages is at least 1).
	Total, Page, Pages int
}

// Directory searches the public directory by certification code (exact,
// any case) and holder's name (any part, any case), for anyone. Search
// texts over their length are an invalid *portal.Error naming the field;
// a page past the last is empty.
func (s *Service) Directory(ctx context.Context, q DirectoryQuery) (*DirectoryResult, error) {
	q.Code, q.Name = strings.TrimSpace(q.Code), strings.TrimSpace(q.Name)
	var fields []portal.FieldError
	if utf8.RuneCountInString(q.Code) > maxDirectoryCode {
		fields = append(fields, portal.FieldError{Field: FieldDirectoryCode, Message: "credentials.directory.error.code_long",
			Data: map[string]any{"Count": maxDirectoryCode}})
	}
	if utf8.RuneCountInString(q.Name) > maxDirectoryName {
		fields = append(fields, portal.FieldError{Field: FieldDirectoryName, Message: "credentials.directory.error.name_long",
			Data: map[string]any{"Count": maxDirectoryName}})
	}
	if len(fields) > 0 {
		return nil, &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: fields}
	}
	out := &DirectoryResult{Page: max(q.Page, 1)}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out.Entries, out.Total, err = tx.ListCredentialDirectory(ctx, store.DirectoryFilter{Code: q.Code, Name: q.Name,
			Limit: DirectoryPageSize, Offset: (out.Page - 1) * DirectoryPageSize})
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Pages = max((out.Total+DirectoryPageSize-1)/DirectoryPageSize, 1)
	return out, nil
}

// errNotListable refuses to list a certification that has no valid
// current credential.
var errNotListable = &portal.Error{Code: portal.EConflict, Message: "credentials.directory.error.not_listable"}

// directoryState is an earned certification's place in the directory as
// the audit log records it.
type directoryState struct {
	Listed bool `audit:"directory_listed"`
}

// JoinDirectory lists one of the holder's earned certifications in the
// public directory. Only the holder may (anyone else, staff included, gets
// portal.ErrNotFound, as for a certification that does not exist); a
// certification whose current credential is revoked, suspended, not
// signed yet or missing, or that was withdrawn, is refused. Joining twice
// changes nothing; a change is audited (credential.directory_joined).
func (s *Service) JoinDirectory(ctx context.Context, actor portal.Actor, userCertificationID int64) error {
	return s.directoryChange(ctx, actor, userCertificationID, true)
}

// LeaveDirectory takes one of the holder's earned certifications out of
// the public directory at once, whatever its state. Only the holder may;
// leaving twice changes nothing; a change is audited
// (credential.directory_left).
func (s *Service) LeaveDirectory(ctx context.Context, actor portal.Actor, userCertificationID int64) error {
	return s.directoryChange(ctx, actor, userCertificationID, false)
}

func (s *Service) directoryChange(ctx context.Context, actor portal.Actor, userCertificationID int64, join bool) error {
	if actor.Subject() == 0 {
		return portal.ErrUnauthorized
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		uc, err := tx.GetUserCertification(ctx, userCertificationID)
		if err != nil {
			return err
		}
		if !actor.Owns(uc.UserID) {
			return portal.ErrNotFound
		}
		var changed bool
		if join {
			if err := s.checkListable(ctx, tx, uc); err != nil {
				return err
			}
			changed, err = tx.JoinCredentialDirectory(ctx, uc.ID)
		} else {
			changed, err = tx.LeaveCredentialDirectory(ctx, uc.ID)
		}
		if err != nil || !changed {
			return err
		}
		action := "credential.directory_left"
		if join {
			action = "credential.directory_joined"
		}
		return tx.Audit(ctx, actor, action, "user_certification:"+strconv.FormatInt(uc.ID, 10), "",
			portal.Diff(directoryState{Listed: !join}, directoryState{Listed: join}))
	})
}

// checkListable refuses a certification the directory would not show. The
// credential is locked, so that a revocation or suspension committing at
// the same time is seen; the directory's own query checks again at every
// read.
func (s *Service) checkListable(ctx context.Context, tx *store.Tx, uc *portal.UserCertification) error {
	if uc.WithdrawnAt != nil || uc.RevokedAt != nil || uc.SuspendedAt != nil {
		return errNotListable
	}
	c, err := tx.FindCredentialByUserCertification(ctx, uc.ID, uc.Cycle)
	if errors.Is(err, portal.ErrNotFound) {
		return errNotListable
	} else if err != nil {
		return err
	}
	if c, err = tx.LockCredential(ctx, c.ID); err != nil {
		return err
	}
	if c.RevokedAt != nil || c.SuspendedAt != nil || c.SupersededAt != nil || c.DocumentJSONLD == "" {
		return errNotListable
	}
	return nil
}

// HolderDirectory returns which of the holder's earned certifications are
// listed in the directory.
func (s *Service) HolderDirectory(ctx context.Context, actor portal.Actor) (map[int64]bool, error) {
	out := map[int64]bool{}
	if actor.Subject() == 0 {
		return out, nil
	}
	ids, err := s.st.ListDirectoryCertifications(ctx, actor.Subject())
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
