package accounts

import (
	"context"
	"strconv"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// UserPage is one page of the console's account list.
type UserPage struct {
	Users []*portal.User
	Total int
}

// UserQuery is the console's account search.
type UserQuery struct {
	Search string // email, name or login ID
	Role   portal.Role
	Limit  int
	Offset int
}

// ListUsers searches accounts for the console. portal.PermUsersRead.
func (s *Service) ListUsers(ctx context.Context, actor portal.Actor, q UserQuery) (*UserPage, error) {
	if err := actor.Authorize(portal.PermUsersRead); err != nil {
		return nil, err
	}
	users, total, err := s.st.ListUsers(ctx, store.UserFilter{Search: q.Search, Role: q.Role, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, Total: total}, nil
}

// UserDetail is one account as the console shows it.
type UserDetail struct {
	User     *portal.User
	MFA      *MFAStatus
	Sessions int
	Sets     []portal.PermissionSet // a staff account's permission sets
}

// FindUser returns one account for the console. portal.PermUsersRead.
func (s *Service) FindUser(ctx context.Context, actor portal.Actor, id int64) (*UserDetail, error) {
	if err := actor.Authorize(portal.PermUsersRead); err != nil {
		return nil, err
	}
	u, err := s.st.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	mfa, err := s.MFAStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	sessions, err := s.st.ListUserSessions(ctx, id, s.cfg.SessionIdle)
	if err != nil {
		return nil, err
	}
	d := &UserDetail{User: u, MFA: mfa, Sessions: len(sessions)}
	if u.Role.IsStaff() {
		if d.Sets, err = s.st.ListStaffSets(ctx, id); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// SetUserDisabled disables or re-enables an account; disabling ends its
// sessions at once. portal.PermUsersManage, never on one's own account,
// and never the last enabled admin (console.staff.last_admin).
func (s *Service) SetUserDisabled(ctx context.Context, actor portal.Actor, id int64, disabled bool) error {
	if err := actor.Authorize(portal.PermUsersManage); err != nil {
		return err
	}
	if id == actor.UserID {
		return &portal.Error{Code: portal.EConflict, Message: "console.users.not_yourself"}
	}
	return s.st.Transact(ctx, func(tx *store.Tx) error {
		admins, err := tx.LockAdmins(ctx)
		if err != nil {
			return err
		}
		if disabled && lastAdmin(admins, id) {
			return errLastAdmin
		}
		if err := tx.LockUser(ctx, id); err != nil {
			return err
		}
		before, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		after, err := tx.SetUserDisabled(ctx, id, disabled)
		if err != nil {
			return err
		}
		action := "account.enabled"
		if disabled {
			action = "account.disabled"
		}
		return audit(ctx, tx, actor, action, userSubject(id), "", portal.Diff(disabledOf(before), disabledOf(after))...)
	})
}

// RevokeSessions signs an account out everywhere. portal.PermUsersManage.
func (s *Service) RevokeSessions(ctx context.Context, actor portal.Actor, id int64) (int64, error) {
	if err := actor.Authorize(portal.PermUsersManage); err != nil {
		return 0, err
	}
	var n int64
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.GetUser(ctx, id); err != nil {
			return err
		}
		var err error
		if n, err = tx.DeleteUserSessions(ctx, id, 0); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "auth.sessions_revoked", userSubject(id), "")
	})
	return n, err
}

// ResetSecondFactor removes every second factor of another account (its
// authenticator, its text-message number, its backup codes and any code
// lock) for a candidate who lost them and whom support has identified. It
// signs the account out everywhere (AUTH-12), records the factors before
// and after in the audit log and mails the owner, in one transaction.
//
// portal.PermUsersManage, never on one's own account, and only from an
// actor that proved its password and second factor within ReauthWindow:
// ErrForbidden, conflict console.users.not_yourself, ErrReauthRequired.
// An account without a second factor is ErrMFANotEnabled.
func (s *Service) ResetSecondFactor(ctx context.Context, actor portal.Actor, userID int64) error {
	if err := actor.Authorize(portal.PermUsersManage); err != nil {
		return err
	}
	if userID == actor.UserID {
		return &portal.Error{Code: portal.EConflict, Message: "console.users.not_yourself"}
	}
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return err
	}
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		if !mfaOn(m) {
			return ErrMFANotEnabled
		}
		codes, err := tx.CountBackupCodes(ctx, u.ID)
		if err != nil {
			return err
		}
		before := factorsOf(m, codes)
		for _, step := range []func(context.Context, int64) error{tx.DisableTOTP, tx.DisableSMS, tx.DeleteBackupCodes, tx.ResetMFAFailures} {
			if err := step(ctx, u.ID); err != nil {
				return err
			}
		}
		if m, err = tx.LockUserMFA(ctx, u.ID); err != nil {
			return err
		}
		if codes, err = tx.CountBackupCodes(ctx, u.ID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "mfa.reset_by_admin", userSubject(u.ID), "", portal.Diff(before, factorsOf(m, codes))...); err != nil {
			return err
		}
		n, err := tx.DeleteUserSessions(ctx, u.ID, 0)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := audit(ctx, tx, actor, "auth.sessions_revoked", userSubject(u.ID), strconv.FormatInt(n, 10)); err != nil {
				return err
			}
		}
		// The notice names no IP address: the change came from an
		// administrator, not from a device of the owner's.
		return s.mfaNotice(ctx, tx, portal.Actor{UserID: actor.UserID}, u, "security_mfa_reset", nil)
	})
	if err != nil {
		return err
	}
	s.kick()
	return nil
}

// factors are an account's second factors as the audit log records them.
type factors struct {
	TOTP        bool `audit:"totp"`
	SMS         bool `audit:"sms"`
	BackupCodes int  `audit:"backup_codes"`
}

func factorsOf(m *portal.MFAState, backupCodes int) factors {
	return factors{TOTP: m.TOTPEnabledAt != nil, SMS: m.SMSEnabledAt != nil, BackupCodes: backupCodes}
}

// disabledState is whether an account is disabled, for the audit log.
type disabledState struct {
	Disabled bool `audit:"disabled"`
}

func disabledOf(u *portal.User) disabledState { return disabledState{Disabled: u.DisabledAt != nil} }
