// Package console is the staff and admin console of the site: accounts and
// staff, the exam and certification catalogues, results and their imports,
// credentials, test centers and scheduling, continuing-education review
// and its catalogue, the program calendar and settings, audit, mail and
// jobs. Every route is behind the permission it needs (routes.go); the
// services decide again from the actor. Staff sign in, and manage their
// own account and second factors, through the candidate pages.
package console

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Pages holds the page kit; the console's handlers are its methods.
type Pages struct{ *web.Server }

type consoleHomePage struct {
	web.BasePage
	DevMailbox bool
	Form       *web.Form
}

func (s *Pages) handleConsoleHome(w http.ResponseWriter, r *http.Request) error {
	p := &consoleHomePage{DevMailbox: s.Config().DevMailbox, Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "console.title")
	return s.Render(w, r, http.StatusOK, "console_home", p)
}

type consoleAuditPage struct {
	web.BasePage
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
func (s *Pages) handleConsoleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &consoleAuditPage{Filter: auditFilterForm{Action: q.Get("action"), Actor: q.Get("actor"), From: q.Get("from"), To: q.Get("to")}}
	s.FillBase(r, &p.BasePage, "console.audit.title")
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
	res, err := s.Accounts.ListAudit(r.Context(), web.Actor(r), f)
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
	return s.Render(w, r, http.StatusOK, "console_audit", p)
}

type consoleMailPage struct {
	web.BasePage
	Messages []*portal.DevMessage
	Form     *web.Form
}

// handleConsoleMail shows the development mailbox (only when no SMTP server
// is configured).
func (s *Pages) handleConsoleMail(w http.ResponseWriter, r *http.Request) error {
	if !s.Config().DevMailbox {
		return portal.ErrNotFound
	}
	msgs, err := s.Accounts.ListDevMessages(r.Context(), web.Actor(r), 100)
	if err != nil {
		return err
	}
	p := &consoleMailPage{Messages: msgs, Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "console.mail.title")
	return s.Render(w, r, http.StatusOK, "console_mail", p)
}

type consoleMailShowPage struct {
	web.BasePage
	Message     *portal.DevMessage
	Attachments []mailAttachmentLink
}

// mailAttachmentLink is an attachment of a development message, numbered
// from 1 as its download route counts.
type mailAttachmentLink struct {
	Number            int
	Name, ContentType string
}

func (s *Pages) handleConsoleMailShow(w http.ResponseWriter, r *http.Request) error {
	m, err := s.devMessage(r)
	if err != nil {
		return err
	}
	p := &consoleMailShowPage{Message: m}
	for i, a := range m.Attachments {
		p.Attachments = append(p.Attachments, mailAttachmentLink{Number: i + 1, Name: a.Name, ContentType: a.ContentType})
	}
	s.FillBase(r, &p.BasePage, "console.mail.show_title")
	return s.Render(w, r, http.StatusOK, "console_mail_show", p)
}

// devMessage is the development message the route's {id} names, for
// admins (accounts.Service.FindDevMessage), when the mailbox is on.
func (s *Pages) devMessage(r *http.Request) (*portal.DevMessage, error) {
	if !s.Config().DevMailbox {
		return nil, portal.ErrNotFound
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, portal.ErrNotFound
	}
	return s.Accounts.FindDevMessage(r.Context(), web.Actor(r), id)
}

// mailPartPolicy is the Content-Security-Policy of a message's HTML part:
// no script, no plug-in, no form, no request to any site but images and
// fonts over HTTPS (as a mail client shows them), inline styles as mail
// uses them, sandboxed, and framed only by the console's message page.
const mailPartPolicy = "default-src 'none'; img-src https: data:; font-src https: data:; style-src 'unsafe-inline'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"

// handleConsoleMailHTML serves a message's HTML part for the sandboxed
// frame of the message page. Links open in a new tab (a <base
// target="_blank"> is added), so that they work although the portal's
// pages refuse to be framed.
func (s *Pages) handleConsoleMailHTML(w http.ResponseWriter, r *http.Request) error {
	m, err := s.devMessage(r)
	if err != nil {
		return err
	}
	if m.HTMLBody == "" {
		return portal.ErrNotFound
	}
	h := w.Header()
	h.Set("Content-Security-Policy", mailPartPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, withBaseTarget(m.HTMLBody))
	return nil
}

// withBaseTarget adds <base target="_blank"> to an HTML document's head
// (or in front of it when it has none).
func withBaseTarget(doc string) string {
	const base = `<base target="_blank">`
	lower := strings.ToLower(doc)
	if i := strings.Index(lower, "<head"); i >= 0 {
		if j := strings.IndexByte(doc[i:], '>'); j >= 0 {
			at := i + j + 1
			return doc[:at] + base + doc[at:]
		}
	}
	return base + doc
}

// handleConsoleMailAttachment downloads an attachment of a message (a
// calendar file, for example), numbered from 1. It is always a download,
// never shown in the browser.
func (s *Pages) handleConsoleMailAttachment(w http.ResponseWriter, r *http.Request) error {
	m, err := s.devMessage(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(m.Attachments) {
		return portal.ErrNotFound
	}
	a := m.Attachments[n-1]
	ctype := "application/octet-stream"
	if mt, params, err := mime.ParseMediaType(a.ContentType); err == nil {
		ctype = mime.FormatMediaType(mt, params)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(a.Content)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Content)
	return nil
}

// handleConsoleMailTest sends a test message through the configured mail
// path (SMTP or the development mailbox), via the job queue.
func (s *Pages) handleConsoleMailTest(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	to := r.PostForm.Get("to")
	if err := s.Ops.SendTestMail(r.Context(), web.Actor(r), to); err != nil {
		p := &consoleHomePage{DevMailbox: s.Config().DevMailbox, Form: web.NewForm()}
		p.Form.Values["to"] = to
		s.FillBase(r, &p.BasePage, "console.title")
		if !s.ApplyError(&p.BasePage, p.Form, err, "to") {
			return err
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "console_home", p)
	}
	http.Redirect(w, r, web.WithNotice("/console", noticeTestMailSent), http.StatusSeeOther)
	return nil
}

type consoleJobsPage struct {
	web.BasePage
	Jobs []jobs.FailedJob
}

// handleConsoleJobs lists background jobs that failed for good, for
// inspection.
func (s *Pages) handleConsoleJobs(w http.ResponseWriter, r *http.Request) error {
	failed, err := s.Ops.FailedJobs(r.Context(), web.Actor(r), 100)
	if err != nil {
		return err
	}
	p := &consoleJobsPage{Jobs: failed}
	s.FillBase(r, &p.BasePage, "console.jobs.title")
	return s.Render(w, r, http.StatusOK, "console_jobs", p)
}
