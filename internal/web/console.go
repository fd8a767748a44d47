package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
)

type consoleHomePage struct {
	BasePage
	DevMailbox bool
	Form       *Form
}

func (s *Server) handleConsoleHome(w http.ResponseWriter, r *http.Request) error {
	p := &consoleHomePage{DevMailbox: s.cfg.DevMailbox, Form: newForm()}
	s.fillBase(r, &p.BasePage, "console.title")
	return s.render(w, r, http.StatusOK, "console_home", p)
}

type consoleAuditPage struct {
	BasePage
	Events  []*portal.AuditEvent
	Total   int
	Filter  auditFilterForm
	Page    int
	HasPrev bool
	HasNext bool
	PrevURL string
	NextURL string
}

type auditFilterForm struct {
	Action string
	Actor  string
	From   string
	To     string
}

const auditPageSize = 50

// handleConsoleAudit lists the audit log with filters by action, actor and
// date range.
func (s *Server) handleConsoleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &consoleAuditPage{Filter: auditFilterForm{Action: q.Get("action"), Actor: q.Get("actor"), From: q.Get("from"), To: q.Get("to")}}
	s.fillBase(r, &p.BasePage, "console.audit.title")
	f := portal.AuditFilter{Action: strings.TrimSpace(p.Filter.Action), Limit: auditPageSize}
	if p.Filter.Actor != "" {
		if id, err := strconv.ParseInt(p.Filter.Actor, 10, 64); err == nil && id >= 0 {
			f.ActorID = id
		}
	}
	if t, err := time.Parse("2006-01-02", p.Filter.From); err == nil {
		f.From = t
	}
	if t, err := time.Parse("2006-01-02", p.Filter.To); err == nil {
		f.To = t.AddDate(0, 0, 1)
	}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	if p.Page < 1 {
		p.Page = 1
	}
	f.Offset = (p.Page - 1) * auditPageSize
	res, err := s.acc.ListAudit(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	p.Events, p.Total = res.Events, res.Total
	p.HasPrev = p.Page > 1
	p.HasNext = f.Offset+len(res.Events) < res.Total
	link := func(page int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(page))
		return "/console/audit?" + v.Encode()
	}
	p.PrevURL, p.NextURL = link(p.Page-1), link(p.Page+1)
	return s.render(w, r, http.StatusOK, "console_audit", p)
}

type consoleMailPage struct {
	BasePage
	Messages []*portal.DevMessage
	Form     *Form
}

// handleConsoleMail shows the development mailbox (only when no SMTP server
// is configured).
func (s *Server) handleConsoleMail(w http.ResponseWriter, r *http.Request) error {
	if !s.cfg.DevMailbox {
		return portal.ErrNotFound
	}
	msgs, err := s.acc.ListDevMessages(r.Context(), actor(r), 100)
	if err != nil {
		return err
	}
	p := &consoleMailPage{Messages: msgs, Form: newForm()}
	s.fillBase(r, &p.BasePage, "console.mail.title")
	return s.render(w, r, http.StatusOK, "console_mail", p)
}

type consoleMailShowPage struct {
	BasePage
	Message *portal.DevMessage
}

func (s *Server) handleConsoleMailShow(w http.ResponseWriter, r *http.Request) error {
	if !s.cfg.DevMailbox {
		return portal.ErrNotFound
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return portal.ErrNotFound
	}
	m, err := s.acc.FindDevMessage(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleMailShowPage{Message: m}
	s.fillBase(r, &p.BasePage, "console.mail.show_title")
	return s.render(w, r, http.StatusOK, "console_mail_show", p)
}

// handleConsoleMailTest sends a test message through the configured mail
// path (SMTP or the development mailbox), via the job queue.
func (s *Server) handleConsoleMailTest(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	to := r.PostForm.Get("to")
	if err := s.ops.SendTestMail(r.Context(), actor(r), to); err != nil {
		p := &consoleHomePage{DevMailbox: s.cfg.DevMailbox, Form: newForm()}
		p.Form.Values["to"] = to
		s.fillBase(r, &p.BasePage, "console.title")
		if !s.applyError(&p.BasePage, p.Form, err, "to") {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "console_home", p)
	}
	http.Redirect(w, r, withNotice("/console", noticeTestMailSent), http.StatusSeeOther)
	return nil
}

type consoleJobsPage struct {
	BasePage
	Jobs []jobs.FailedJob
}

// handleConsoleJobs lists background jobs that failed for good, for
// inspection.
func (s *Server) handleConsoleJobs(w http.ResponseWriter, r *http.Request) error {
	failed, err := s.ops.FailedJobs(r.Context(), actor(r), 100)
	if err != nil {
		return err
	}
	p := &consoleJobsPage{Jobs: failed}
	s.fillBase(r, &p.BasePage, "console.jobs.title")
	return s.render(w, r, http.StatusOK, "console_jobs", p)
}
