package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

type consoleUsersPage struct {
	web.BasePage
	Query   string
	Users   []*portal.User
	Total   int
	Page    int
	HasNext bool
	NextURL string
	PrevURL string
}

const usersPageSize = 50

// handleConsoleUsers searches accounts by email, name or login ID.
func (s *Pages) handleConsoleUsers(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	res, err := s.Accounts.ListUsers(r.Context(), web.Actor(r), accounts.UserQuery{Search: q, Limit: usersPageSize, Offset: (page - 1) * usersPageSize})
	if err != nil {
		return err
	}
	p := &consoleUsersPage{Query: q, Users: res.Users, Total: res.Total, Page: page}
	p.HasNext = (page-1)*usersPageSize+len(res.Users) < res.Total
	p.NextURL = "/console/users?q=" + urlQuery(q) + "&page=" + strconv.Itoa(page+1)
	p.PrevURL = "/console/users?q=" + urlQuery(q) + "&page=" + strconv.Itoa(page-1)
	s.FillBase(r, &p.BasePage, "console.users.title")
	return s.Render(w, r, http.StatusOK, "console_users", p)
}

type consoleUserPage struct {
	web.BasePage
	Detail *accounts.UserDetail
	Form   *web.Form
	Sets   []SetChoice // a staff account's permission sets, as checkboxes
}

func (s *Pages) handleConsoleUser(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	return s.renderConsoleUser(w, r, id, nil, nil)
}

// renderConsoleUser shows an account's page; after a refused change of its
// permission sets, with the sets that were sent and the refusal.
func (s *Pages) renderConsoleUser(w http.ResponseWriter, r *http.Request, id int64, sent []portal.PermissionSet, failure error) error {
	d, err := s.Accounts.FindUser(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleUserPage{Detail: d, Form: web.NewForm(), Sets: setChoices(d.Sets)}
	s.FillBase(r, &p.BasePage, "console.users.detail_title")
	status := http.StatusOK
	if failure != nil {
		if !s.ApplyError(&p.BasePage, p.Form, failure, "sets") {
			return failure
		}
		p.Sets, status = setChoices(sent), web.FormStatus(failure)
	}
	return s.Render(w, r, status, "console_user", p)
}

// userID is the {id} of a console account path.
func userID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

// userDone returns to the account's page with a notice.
func userDone(w http.ResponseWriter, r *http.Request, id int64, n web.Notice) error {
	http.Redirect(w, r, web.WithNotice("/console/users/"+strconv.FormatInt(id, 10), n), http.StatusSeeOther)
	return nil
}

// handleConsoleUserDisable disables an account and ends its sessions.
func (s *Pages) handleConsoleUserDisable(w http.ResponseWriter, r *http.Request) error {
	return s.setUserDisabled(w, r, true, noticeUserDisabled)
}

// handleConsoleUserEnable lets a disabled account sign in again.
func (s *Pages) handleConsoleUserEnable(w http.ResponseWriter, r *http.Request) error {
	return s.setUserDisabled(w, r, false, noticeUserEnabled)
}

func (s *Pages) setUserDisabled(w http.ResponseWriter, r *http.Request, disabled bool, n web.Notice) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	if err := s.Accounts.SetUserDisabled(r.Context(), web.Actor(r), id, disabled); err != nil {
		return err
	}
	return userDone(w, r, id, n)
}

// handleConsoleUserSignOut signs an account out everywhere.
func (s *Pages) handleConsoleUserSignOut(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	if _, err := s.Accounts.RevokeSessions(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	return userDone(w, r, id, noticeUserSignedOut)
}

// handleConsoleUserMFAReset removes the second factors of an account whose
// owner lost them. The service decides who may and asks for a recent
// sign-in; a stale one gets the page that offers to sign in again and come
// back here.
func (s *Pages) handleConsoleUserMFAReset(w http.ResponseWriter, r *http.Request) error {
	id, err := userID(r)
	if err != nil {
		return err
	}
	err = s.Accounts.ResetSecondFactor(r.Context(), web.Actor(r), id)
	if errors.Is(err, accounts.ErrReauthRequired) {
		return s.RenderReauth(w, r, http.StatusForbidden, "/console/users/"+strconv.FormatInt(id, 10))
	}
	if err != nil {
		return err
	}
	return userDone(w, r, id, noticeMFAReset)
}

func urlQuery(s string) string { return url.QueryEscape(s) }
