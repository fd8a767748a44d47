package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
)

type consoleUsersPage struct {
	BasePage
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
func (s *Server) handleConsoleUsers(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	res, err := s.acc.ListUsers(r.Context(), actor(r), accounts.UserQuery{Search: q, Limit: usersPageSize, Offset: (page - 1) * usersPageSize})
	if err != nil {
		return err
	}
	p := &consoleUsersPage{Query: q, Users: res.Users, Total: res.Total, Page: page}
	p.HasNext = (page-1)*usersPageSize+len(res.Users) < res.Total
	p.NextURL = "/console/users?q=" + urlQuery(q) + "&page=" + strconv.Itoa(page+1)
	p.PrevURL = "/console/users?q=" + urlQuery(q) + "&page=" + strconv.Itoa(page-1)
	s.fillBase(r, &p.BasePage, "console.users.title")
	return s.render(w, r, http.StatusOK, "console_users", p)
}

type consoleUserPage struct {
	BasePage
	Detail *accounts.UserDetail
}

func (s *Server) handleConsoleUser(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return portal.ErrNotFound
	}
	d, err := s.acc.FindUser(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleUserPage{Detail: d}
	s.fillBase(r, &p.BasePage, "console.users.detail_title")
	return s.render(w, r, http.StatusOK, "console_user", p)
}

// handleConsoleUserAction disables, enables or signs out an account.
func (s *Server) handleConsoleUserAction(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return portal.ErrNotFound
	}
	var n notice
	switch r.PathValue("action") {
	case "disable":
		err, n = s.acc.SetUserDisabled(r.Context(), actor(r), id, true), noticeUserDisabled
	case "enable":
		err, n = s.acc.SetUserDisabled(r.Context(), actor(r), id, false), noticeUserEnabled
	case "signout":
		_, err = s.acc.RevokeSessions(r.Context(), actor(r), id)
		n = noticeUserSignedOut
	default:
		return portal.ErrNotFound
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, withNotice("/console/users/"+strconv.FormatInt(id, 10), n), http.StatusSeeOther)
	return nil
}

func urlQuery(s string) string { return url.QueryEscape(s) }
