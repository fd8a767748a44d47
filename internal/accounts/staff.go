package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// StaffInvitationTTL is how long a staff invitation link works. It works
// once.
const StaffInvitationTTL = 72 * time.Hour

var (
	errLastAdmin = &portal.Error{Code: portal.EConflict, Message: "console.staff.last_admin"}
	errNotStaff  = &portal.Error{Code: portal.EConflict, Message: "console.staff.not_staff"}
)

// StaffInvite asks for a new staff account.
type StaffInvite struct {
	Email     string
	FirstName string
	LastName  string
	Language  string
	Sets      []portal.PermissionSet
}

// InviteStaff creates a staff account holding sets, without a password,
// and mails its owner a link (valid StaffInvitationTTL, single use) where
// they set one; the console then asks them to enrol a second factor before
// it opens (MFA-01). Only an actor with portal.PermStaffManage that proved
// its password recently may invite.
func (s *Service) InviteStaff(ctx context.Context, actor portal.Actor, req StaffInvite) (*portal.User, error) {
	if err := s.authorizeStaffChange(actor); err != nil {
		return nil, err
	}
	var v portal.Validation
	email := validateEmail(&v, "email", req.Email)
	first := validateName(&v, "first_name", req.FirstName)
	last := validateName(&v, "last_name", req.LastName)
	sets := validateSets(&v, req.Sets)
	lang := req.Language
	if lang == "" {
		lang = "en"
	}
	if !s.languageSupported(lang) {
		v.Add("language", "field.language_invalid", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var user *portal.User
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		user, err = s.createUser(ctx, tx, store.UserCreate{Email: email, FirstName: first, LastName: last, Role: portal.RoleStaff, Language: lang})
		if err != nil {
			return err
		}
		if err := tx.ReplaceStaffSets(ctx, user.ID, sets, actor.UserID); err != nil {
			return err
		}
		token, hash := newToken()
		t, err := tx.CreateToken(ctx, user.ID, store.TokenAdminSetup, hash, email, StaffInvitationTTL, true)
		if err != nil {
			return err
		}
		if err := s.sendMail(ctx, tx, user, email, "staff_invitation", map[string]any{
			"Link": s.cfg.BaseURL + "/setup/" + token, "ExpiresAt": t.ExpiresAt, "Sets": setNames(sets),
		}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "staff.invited", userSubject(user.ID), "",
			portal.FieldChange{Field: "permission_sets", Before: "", After: joinSets(sets)})
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil, &portal.Error{Code: portal.EConflict, Message: "field.email_taken", Fields: []portal.FieldError{{Field: "email", Message: "field.email_taken"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: invite staff: %w", err)
	}
	s.kick()
	return user, nil
}

// SetStaffSets makes sets exactly the permission sets of the staff account
// userID. Only an actor with portal.PermStaffManage that proved its
// password recently may; the change is audited and mailed to the account.
// The last enabled admin keeps the admin set (console.staff.last_admin),
// whoever asks, however many ask at once.
func (s *Service) SetStaffSets(ctx context.Context, actor portal.Actor, userID int64, sets []portal.PermissionSet) error {
	if err := s.authorizeStaffChange(actor); err != nil {
		return err
	}
	var v portal.Validation
	sets = validateSets(&v, sets)
	if err := v.Err(); err != nil {
		return err
	}
	changed := false
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		admins, err := tx.LockAdmins(ctx)
		if err != nil {
			return err
		}
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		if !u.Role.IsStaff() {
			return errNotStaff
		}
		before, err := tx.ListStaffSets(ctx, u.ID)
		if err != nil {
			return err
		}
		if slices.Equal(before, sets) {
			return nil
		}
		if lastAdmin(admins, u.ID) && !slices.Contains(sets, portal.SetAdmin) {
			return errLastAdmin
		}
		if err := tx.ReplaceStaffSets(ctx, u.ID, sets, actor.UserID); err != nil {
			return err
		}
		changed = true
		if err := s.sendMail(ctx, tx, u, u.Email, "staff_permissions", map[string]any{"Sets": setNames(sets)}); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "staff.permissions_changed", userSubject(u.ID), "",
			portal.FieldChange{Field: "permission_sets", Before: joinSets(before), After: joinSets(sets)})
	})
	if err != nil {
		return err
	}
	if changed {
		s.kick()
	}
	return nil
}

// StaffMember is a staff account with its permission sets.
type StaffMember struct {
	User *portal.User
	Sets []portal.PermissionSet
}

// ListStaff returns every staff account with its sets, for the console's
// staff page. portal.PermStaffManage.
func (s *Service) ListStaff(ctx context.Context, actor portal.Actor) ([]StaffMember, error) {
	if err := actor.Authorize(portal.PermStaffManage); err != nil {
		return nil, err
	}
	users, _, err := s.st.ListUsers(ctx, store.UserFilter{Role: portal.RoleStaff, Limit: 200})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	sets, err := s.st.ListStaffSetsByUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]StaffMember, len(users))
	for i, u := range users {
		out[i] = StaffMember{User: u, Sets: sets[u.ID]}
	}
	return out, nil
}

// authorizeStaffChange is the rule for every change of who is staff and
// what they may do.
func (s *Service) authorizeStaffChange(actor portal.Actor) error {
	if err := actor.Authorize(portal.PermStaffManage); err != nil {
		return err
	}
	return actor.RequireRecentProof(s.clock.Now())
}

// lastAdmin reports whether id is the only enabled admin.
func lastAdmin(admins []int64, id int64) bool {
	return len(admins) == 1 && admins[0] == id
}

// validateSets checks a choice of permission sets: at least one, each
// known. It returns them sorted without duplicates.
func validateSets(v *portal.Validation, sets []portal.PermissionSet) []portal.PermissionSet {
	if len(sets) == 0 {
		v.Add("sets", "console.staff.error.sets_required", nil)
		return nil
	}
	for _, set := range sets {
		if !set.Valid() {
			v.Add("sets", "console.staff.error.sets_invalid", nil)
			return nil
		}
	}
	return portal.SortSets(sets)
}

func joinSets(sets []portal.PermissionSet) string { return strings.Join(setNames(sets), ", ") }

func setNames(sets []portal.PermissionSet) []string {
	out := make([]string, len(sets))
	for i, set := range sets {
		out[i] = string(set)
	}
	return out
}
