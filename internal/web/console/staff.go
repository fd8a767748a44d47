package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Staff in the console: the list of staff with their permission sets,
// invitations, and the sets of one account (on its page, console_user).
// The accounts service decides who may and asks for a recent sign-in.

// SetChoice is one permission set as a checkbox.
type SetChoice struct {
	Set     portal.PermissionSet
	Checked bool
}

// setChoices lists every set, checked when it is in sets.
func setChoices(sets []portal.PermissionSet) []SetChoice {
	out := make([]SetChoice, 0, len(portal.PermissionSets()))
	for _, set := range portal.PermissionSets() {
		checked := false
		for _, have := range sets {
			checked = checked || have == set
		}
		out = append(out, SetChoice{Set: set, Checked: checked})
	}
	return out
}

// postedSets reads the checked permission sets of a form.
func postedSets(r *http.Request) []portal.PermissionSet {
	var sets []portal.PermissionSet
	for _, v := range r.PostForm["sets"] {
		sets = append(sets, portal.PermissionSet(v))
	}
	return sets
}

type consoleStaffPage struct {
	web.BasePage
	Members []accounts.StaffMember
}

// handleConsoleStaff lists the staff accounts and their permission sets.
func (s *Pages) handleConsoleStaff(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Accounts.ListStaff(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	p := &consoleStaffPage{Members: list}
	s.FillBase(r, &p.BasePage, "console.staff.title")
	return s.Render(w, r, http.StatusOK, "console_staff", p)
}

type staffInvitePage struct {
	web.BasePage
	Form *web.Form
	Sets []SetChoice
}

// handleConsoleStaffInviteForm shows the invitation form, or first the
// page that asks to sign in again when the last sign-in is too old for it.
func (s *Pages) handleConsoleStaffInviteForm(w http.ResponseWriter, r *http.Request) error {
	if !web.RecentlyProved(r, s.Clock.Now()) {
		return s.RenderReauth(w, r, http.StatusOK, "/console/staff/invite")
	}
	return s.renderStaffInvite(w, r, web.NewForm(), nil, nil)
}

// renderStaffInvite shows the invitation form; after a refused invitation,
// with what was sent and the refusal next to its fields.
func (s *Pages) renderStaffInvite(w http.ResponseWriter, r *http.Request, f *web.Form, sets []portal.PermissionSet, failure error) error {
	p := &staffInvitePage{Form: f, Sets: setChoices(sets)}
	s.FillBase(r, &p.BasePage, "console.staff.invite_title")
	status := http.StatusOK
	if failure != nil {
		if !s.ApplyError(&p.BasePage, f, failure, "email") {
			return failure
		}
		status = web.FormStatus(failure)
	}
	return s.Render(w, r, status, "console_staff_invite", p)
}

// handleConsoleStaffInvite creates the account and mails the invitation.
func (s *Pages) handleConsoleStaffInvite(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "email", "first_name", "last_name", "language")
	sets := postedSets(r)
	_, err := s.Accounts.InviteStaff(r.Context(), web.Actor(r), accounts.StaffInvite{
		Email: f.Value("email"), FirstName: f.Value("first_name"), LastName: f.Value("last_name"),
		Language: strings.TrimSpace(f.Value("language")), Sets: sets,
	})
	if errors.Is(err, portal.ErrReauthRequired) {
		return s.RenderReauth(w, r, http.StatusForbidden, "/console/staff/invite")
	}
	if err != nil {
		return s.renderStaffInvite(w, r, f, sets, err)
	}
	http.Redirect(w, r, web.WithNotice("/console/staff", noticeStaffInvited), http.StatusSeeOther)
	return nil
}

// handleConsoleUserPermissions replaces the permission sets of a staff
// account.
func (s *Pages) handleConsoleUserPermissions(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	sets := postedSets(r)
	err = s.Accounts.SetStaffSets(r.Context(), web.Actor(r), id, sets)
	if errors.Is(err, portal.ErrReauthRequired) {
		return s.RenderReauth(w, r, http.StatusForbidden, "/console/users/"+strconv.FormatInt(id, 10))
	}
	if err != nil {
		return s.renderConsoleUser(w, r, id, sets, err)
	}
	return userDone(w, r, id, noticeStaffPermissionsChanged)
}
