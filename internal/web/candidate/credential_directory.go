package candidate

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The public directory of credentials (/credentials/directory) and the
// holder's choice to join or leave it, per earned certification, on the
// Certifications page. The credentials service decides who is listed.

type credentialDirectoryPage struct {
	web.BasePage
	Form   *web.Form
	Result *credentials.DirectoryResult
	// Paths are the verification pages of Result's entries, in order.
	Paths []string
	// Prev and Next link the neighbouring pages of the same search, empty
	// at either end.
	Prev, Next string
}

// handleCredentialDirectory searches the directory by certification code
// and holder's name, a page at a time.
func (s *Pages) handleCredentialDirectory(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	q := r.URL.Query()
	p := &credentialDirectoryPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "credential.directory.title")
	code, name := q.Get(credentials.FieldDirectoryCode), q.Get(credentials.FieldDirectoryName)
	p.Form.Values[credentials.FieldDirectoryCode], p.Form.Values[credentials.FieldDirectoryName] = code, name
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	res, err := s.Credentials.Directory(r.Context(), credentials.DirectoryQuery{Code: code, Name: name, Page: page})
	if err != nil {
		if !s.ApplyError(&p.BasePage, p.Form, err, credentials.FieldDirectoryName) {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "credential_directory", p)
	}
	p.Result = res
	for _, e := range res.Entries {
		p.Paths = append(p.Paths, credentialPath(e.CredentialID))
	}
	link := func(n int) string {
		v := url.Values{}
		if code != "" {
			v.Set(credentials.FieldDirectoryCode, code)
		}
		if name != "" {
			v.Set(credentials.FieldDirectoryName, name)
		}
		v.Set("page", strconv.Itoa(n))
		return "/credentials/directory?" + v.Encode()
	}
	if res.Page > 1 {
		p.Prev = link(min(res.Page-1, res.Pages))
	}
	if res.Page < res.Pages {
		p.Next = link(res.Page + 1)
	}
	return s.Render(w, r, http.StatusOK, "credential_directory", p)
}

// handleDirectoryJoin lists one of the signed-in holder's certifications
// in the public directory.
func (s *Pages) handleDirectoryJoin(w http.ResponseWriter, r *http.Request) error {
	return s.directoryChoice(w, r, s.Credentials.JoinDirectory, noticeDirectoryJoined)
}

// handleDirectoryLeave takes one of the signed-in holder's certifications
// out of the public directory.
func (s *Pages) handleDirectoryLeave(w http.ResponseWriter, r *http.Request) error {
	return s.directoryChoice(w, r, s.Credentials.LeaveDirectory, noticeDirectoryLeft)
}

func (s *Pages) directoryChoice(w http.ResponseWriter, r *http.Request,
	change func(context.Context, portal.Actor, int64) error, done web.Notice) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	ucID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return portal.ErrNotFound
	}
	if err := change(r.Context(), web.Actor(r), ucID); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/certifications", done)+"#cert-"+strconv.FormatInt(ucID, 10), http.StatusSeeOther)
	return nil
}
