package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Credentials in the console: credential officers find a credential by its
// ID or its holder, then revoke, suspend or lift a suspension.

// credentialView is a credential as the console shows it.
type credentialView struct {
	*credentials.CredentialRow
	Status string
	// Since is when the credential was revoked, superseded or suspended.
	Since time.Time
}

func viewCredential(c *credentials.CredentialRow) credentialView {
	v := credentialView{CredentialRow: c, Status: credentials.StatusActive}
	switch {
	case c.RevokedAt != nil:
		v.Status, v.Since = credentials.StatusRevoked, *c.RevokedAt
	case c.SupersededAt != nil:
		v.Status, v.Since = credentials.StatusSuperseded, *c.SupersededAt
	case c.SuspendedAt != nil:
		v.Status, v.Since = credentials.StatusSuspended, *c.SuspendedAt
	}
	return v
}

type consoleCredentialsPage struct {
	web.BasePage
	Query       string
	Searched    bool
	Credentials []credentialView
	// DocumentCert is the certificate that signs PDF documents, nil before
	// the first is generated; DocumentUntrusted warns that readers will
	// not trust it (self-signed, now or once generated).
	DocumentCert      *credentials.DocumentCertificate
	DocumentUntrusted bool
}

// handleConsoleCredentials finds credentials by credential ID, login ID or
// email address.
func (s *Pages) handleConsoleCredentials(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	rows, err := s.Credentials.Search(r.Context(), web.Actor(r), q)
	if err != nil {
		return err
	}
	p := &consoleCredentialsPage{Query: q, Searched: q != ""}
	for _, c := range rows {
		p.Credentials = append(p.Credentials, viewCredential(c))
	}
	p.DocumentCert, err = s.Credentials.DocumentCertificate(r.Context(), web.Actor(r))
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return err
	}
	p.DocumentUntrusted = p.DocumentCert == nil || p.DocumentCert.Untrusted
	s.FillBase(r, &p.BasePage, "console.credentials.title")
	return s.Render(w, r, http.StatusOK, "console_credentials", p)
}

type consoleCredentialPage struct {
	web.BasePage
	Credential  credentialView
	Form        *web.Form
	ReasonField web.Field
	NoteField   web.Field
	Confirm     web.Field
	SuspendNote web.Field
	// Revocable, Suspendable and Liftable say which actions apply.
	Revocable, Suspendable, Liftable bool
	// Certificate is whether the certificate can be made, and
	// CertificateProblem why not, for staff (documents.go).
	Certificate        credentials.CertificateCheck
	CertificateProblem string
}

func (s *Pages) handleConsoleCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := credentialPathID(r)
	if err != nil {
		return err
	}
	return s.renderConsoleCredential(w, r, id, web.NewForm(), "", nil)
}

// renderConsoleCredential shows a credential with its actions; after a
// refused action, with what was sent and the refusal next to the fields.
func (s *Pages) renderConsoleCredential(w http.ResponseWriter, r *http.Request, id int64, f *web.Form, fallback string, failure error) error {
	c, err := s.Credentials.Credential(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	p := &consoleCredentialPage{Credential: viewCredential(c), Form: f}
	if p.Certificate, err = s.Credentials.CertificateCheck(r.Context(), web.Actor(r), id); err != nil {
		return err
	}
	s.FillBase(r, &p.BasePage, "console.credentials.detail_title")
	if pr := p.Certificate.Problem; pr != nil {
		p.CertificateProblem = p.T.T(pr.Message, pr.Data)
	}
	status := http.StatusOK
	if failure != nil {
		if !s.ApplyError(&p.BasePage, f, failure, fallback) {
			return failure
		}
		status = web.FormStatus(failure)
	}
	t := p.T
	p.ReasonField = web.NewField(t, f, credentials.FieldReason, "select", "console.credentials.reason", "placeholder=console.credentials.reason_choose")
	for _, reason := range portal.RevocationReasons {
		p.ReasonField.Options = append(p.ReasonField.Options, web.Option{Value: reason, Label: t.T("credentials.reason."+reason, nil),
			Selected: reason == f.Value(credentials.FieldReason)})
	}
	p.NoteField = web.NewField(t, f, credentials.FieldNote, "textarea", "console.credentials.note", "hint=console.credentials.note_hint", "max=2000")
	p.Confirm = web.Checkbox(t, f, "confirm", "console.credentials.confirm")
	p.SuspendNote = web.NewField(t, f, "suspend_note", "textarea", "console.credentials.note", "hint=console.credentials.note_hint", "max=2000",
		"optional")
	p.Revocable = c.RevokedAt == nil && c.SupersededAt == nil
	p.Suspendable = p.Revocable && c.SuspendedAt == nil
	p.Liftable = c.RevokedAt == nil && c.SuspendedAt != nil
	return s.Render(w, r, status, "console_credential", p)
}

// credentialPathID is the {id} of a console credential path.
func credentialPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, portal.ErrNotFound
	}
	return id, nil
}

// credentialDone returns to the credential's page with a notice, or asks
// to sign in again when the proof is stale, or shows the refusal, next to
// fallback when it names no field.
func (s *Pages) credentialDone(w http.ResponseWriter, r *http.Request, id int64, f *web.Form, fallback string, err error, n web.Notice) error {
	back := "/console/credentials/" + strconv.FormatInt(id, 10)
	if errors.Is(err, portal.ErrReauthRequired) {
		return s.RenderReauth(w, r, http.StatusForbidden, back)
	}
	if err != nil {
		return s.renderConsoleCredential(w, r, id, f, fallback, err)
	}
	http.Redirect(w, r, web.WithNotice(back, n), http.StatusSeeOther)
	return nil
}

// handleConsoleCredentialRevoke revokes a credential once the officer
// confirmed that revocation is final.
func (s *Pages) handleConsoleCredentialRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := credentialPathID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, credentials.FieldReason, credentials.FieldNote, "confirm")
	if f.Value("confirm") != "on" {
		err = &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
			Fields: []portal.FieldError{{Field: "confirm", Message: "credentials.manage.error.confirm_required"}}}
		if !web.Actor(r).RecentlyProved(s.Clock.Now()) {
			err = portal.ErrReauthRequired
		}
		return s.credentialDone(w, r, id, f, "confirm", err, "")
	}
	err = s.Credentials.Revoke(r.Context(), web.Actor(r), id, f.Value(credentials.FieldReason), f.Value(credentials.FieldNote))
	return s.credentialDone(w, r, id, f, "confirm", err, noticeCredentialRevoked)
}

// handleConsoleCredentialSuspend suspends a credential.
func (s *Pages) handleConsoleCredentialSuspend(w http.ResponseWriter, r *http.Request) error {
	id, err := credentialPathID(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "suspend_note")
	err = s.Credentials.Suspend(r.Context(), web.Actor(r), id, f.Value("suspend_note"))
	var pe *portal.Error
	if errors.As(err, &pe) {
		for i := range pe.Fields {
			if pe.Fields[i].Field == credentials.FieldNote {
				pe = &portal.Error{Code: pe.Code, Message: pe.Message, Data: pe.Data,
					Fields: []portal.FieldError{{Field: "suspend_note", Message: pe.Fields[i].Message, Data: pe.Fields[i].Data}}}
				err = pe
				break
			}
		}
	}
	return s.credentialDone(w, r, id, f, "suspend_note", err, noticeCredentialSuspended)
}

// handleConsoleCredentialLift lifts a credential's suspension.
func (s *Pages) handleConsoleCredentialLift(w http.ResponseWriter, r *http.Request) error {
	id, err := credentialPathID(r)
	if err != nil {
		return err
	}
	err = s.Credentials.Lift(r.Context(), web.Actor(r), id)
	return s.credentialDone(w, r, id, web.NewForm(), "lift", err, noticeCredentialReinstated)
}
