package api

import (
	"net/http"
	"strconv"
	"strings"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
)

// Staff operations: reading accounts, for support tools and integrations
// run by staff. Each needs its permission (the route table) and the
// accounts service decides again.

// staffUserView is an account as staff see it (StaffUser).
type staffUserView struct {
	ID             int64    `json:"id"`
	LoginID        string   `json:"login_id"`
	Email          string   `json:"email"`
	FirstName      string   `json:"first_name"`
	LastName       string   `json:"last_name"`
	Role           string   `json:"role"`
	Status         string   `json:"status"`
	CreatedAt      string   `json:"created_at"`
	PermissionSets []string `json:"permission_sets"`
}

func newStaffUserView(u *portal.User, sets []portal.PermissionSet) staffUserView {
	v := staffUserView{ID: u.ID, LoginID: u.LoginID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Role: string(u.Role), CreatedAt: utc(u.CreatedAt), PermissionSets: []string{}}
	switch {
	case u.DisabledAt != nil:
		v.Status = "disabled"
	case u.EmailVerifiedAt == nil:
		v.Status = "unverified"
	default:
		v.Status = "active"
	}
	for _, set := range sets {
		v.PermissionSets = append(v.PermissionSets, string(set))
	}
	return v
}

// handleStaffUserList searches accounts by email, name or login ID.
func (s *server) handleStaffUserList(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	q := r.URL.Query()
	limit, offset := 50, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return fieldRefusal("limit", "api.limit_invalid")
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fieldRefusal("offset", "api.offset_invalid")
		}
		offset = n
	}
	page, err := s.acc.ListUsers(r.Context(), a, accounts.UserQuery{Search: strings.TrimSpace(q.Get("q")), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := struct {
		Users []staffUserView `json:"users"`
		Total int             `json:"total"`
	}{Users: []staffUserView{}, Total: page.Total}
	for _, u := range page.Users {
		out.Users = append(out.Users, newStaffUserView(u, nil))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleStaffUserShow returns one account with its permission sets.
func (s *server) handleStaffUserShow(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	d, err := s.acc.FindUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newStaffUserView(d.User, d.Sets))
	return nil
}
