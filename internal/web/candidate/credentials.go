package candidate

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/badge"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/i18n"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// Public verification of credentials: a form at /credentials, a page per
// credential at /credentials/{id} (what a certificate's QR code encodes),
// and downloads of the two signed forms. Anyone may use them, signed in or
// not; the credentials service limits lookups per address and decides what
// is shown.

type credentialLookupPage struct {
	web.BasePage
	Form *web.Form
}

type credentialPage struct {
	web.BasePage
	V *credentials.Verification
	// NotFound is the page of an ID no credential has, with the lookup
	// form in Form.
	NotFound bool
	Form     *web.Form
	// Self is the credential's canonical page; Successor the page of the
	// credential that replaced it, if any. (BasePage.Path is the page
	// asked for, where the language switch returns.)
	Self, Successor string
	// X and View are the page's view model (prepare).
	X    *credentialText
	View *verificationView
}

// credentialText is what the verification page says, in one language.
type credentialText struct {
	Title, NotFoundTitle, NotFoundText, Submit, Since, Holder, Certification, Issued, Expires, Issuer, ID,
	Successor, Downloads, JSONLD, JWT, BadgePNG, BadgeSVG, CheckAnother, Directory string
}

func newCredentialText(l *i18n.Localizer) *credentialText {
	return &credentialText{Title: l.T("credential.title", nil), NotFoundTitle: l.T("credential.not_found.title", nil),
		NotFoundText: l.T("credential.not_found.text", nil), Submit: l.T("credential.lookup.submit", nil),
		Since: l.T("credential.since", nil), Holder: l.T("credential.holder", nil), Certification: l.T("credential.certification", nil),
		Issued: l.T("credential.issued", nil), Expires: l.T("credential.expires", nil), Issuer: l.T("credential.issuer", nil),
		ID: l.T("credential.id", nil), Successor: l.T("credential.successor", nil), Downloads: l.T("credential.downloads", nil),
		JSONLD: l.T("credential.download.jsonld", nil), JWT: l.T("credential.download.jwt", nil),
		BadgePNG: l.T("credential.download.badge_png", nil), BadgeSVG: l.T("credential.download.badge_svg", nil),
		CheckAnother: l.T("credential.check_another", nil), Directory: l.T("credential.directory.link", nil)}
}

// verificationView is a verification with its strings ready for the page's
// language.
type verificationView struct {
	Active                                           bool
	Status, StatusText                               string
	Since, SinceText                                 string // the status's day: YYYY-MM-DD, and in the page's language
	HolderName, CertificationName, CertificationCode string
	IssuedOn, ExpiresOn, IssuerName, IssuerDID       string
	CredentialID, SupersededBy                       string
	Signed                                           bool
}

// Prepare builds the view model of the verification for the page's
// language.
func (p *credentialPage) Prepare(s *web.Server) {
	l := p.T
	p.X = pageTexts.credential.Get(l, newCredentialText)
	v := p.V
	if v == nil {
		p.View = nil
		return
	}
	cv := &verificationView{Active: v.Status == credentials.StatusActive, Status: s.Text(l, "credential.status."+v.Status),
		StatusText: s.Text(l, "credential.status."+v.Status+".text"), HolderName: v.HolderName,
		CertificationName: v.CertificationName, CertificationCode: v.CertificationCode,
		IssuedOn: s.Day(l, v.IssuedOn), ExpiresOn: s.Day(l, v.ExpiresOn), IssuerName: v.IssuerName, IssuerDID: v.IssuerDID,
		CredentialID: v.CredentialID.String(), SupersededBy: v.SupersededBy.String(), Signed: v.Signed}
	if v.StatusSince != nil {
		cv.Since = v.StatusSince.Format(time.DateOnly)
		cv.SinceText = s.Day(l, cv.Since)
	}
	p.View = cv
}

// credentialPath is the canonical path of a credential's page.
func credentialPath(id portal.CredentialID) string { return "/credentials/" + string(id) }

// handleCredentialLookup shows the verification form, and sends a
// submitted ID, in any case and spacing, to its page.
func (s *Pages) handleCredentialLookup(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	p := &credentialLookupPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "credential.lookup.title")
	p.NoIndex = true
	if _, asked := r.URL.Query()["id"]; !asked {
		return s.Render(w, r, http.StatusOK, "credential_lookup", p)
	}
	raw := strings.TrimSpace(r.URL.Query().Get("id"))
	p.Form.Values["id"] = raw
	id, err := portal.ParseCredentialID(raw)
	if err == nil {
		http.Redirect(w, r, credentialPath(id), http.StatusSeeOther)
		return nil
	}
	msg := "credential.lookup.invalid"
	if raw == "" {
		msg = "credential.lookup.required"
	}
	p.Form.SetError("id", p.T.T(msg, nil))
	p.Errors = append(p.Errors, web.SummaryItem{Field: "id", Message: p.Form.Error("id")})
	return s.Render(w, r, http.StatusUnprocessableEntity, "credential_lookup", p)
}

// parseCredentialPath reads the {id} of a credential path; a path not in
// canonical form is redirected there (the bool is false then).
func parseCredentialPath(w http.ResponseWriter, r *http.Request, suffix string) (portal.CredentialID, bool, error) {
	raw := r.PathValue("id")
	id, err := portal.ParseCredentialID(raw)
	if err != nil {
		return "", false, portal.ErrNotFound
	}
	if raw != string(id) {
		// A credential ID's characters (Crockford base32, a check symbol
		// among * ~ $ =) are all allowed in a path segment as they are;
		// escaping the symbol would give the same page two addresses.
		http.Redirect(w, r, credentialPath(id)+suffix, http.StatusMovedPermanently)
		return "", false, nil
	}
	return id, true, nil
}

// handleCredential shows what anyone may know of a credential: status,
// holder, certification, dates and issuer. Search engines may index it
// only while the credential is in the public directory. An unknown ID
// gets the same page template, saying so, after the same lookup work as a
// known one (credentials.UnknownError).
func (s *Pages) handleCredential(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	id, ok, err := parseCredentialPath(w, r, "")
	if !ok {
		return err
	}
	v, err := s.Credentials.Lookup(r.Context(), web.RequestIP(r), id)
	var unknown *credentials.UnknownError
	if errors.As(err, &unknown) {
		p := &credentialPage{NotFound: true, Form: web.NewForm()}
		p.Form.Values["id"] = id.String()
		s.FillBase(r, &p.BasePage, "credential.not_found.title")
		p.NoIndex = true
		return s.Render(w, r, http.StatusNotFound, "credential", p)
	}
	if err != nil {
		return err
	}
	p := &credentialPage{V: v, Self: credentialPath(v.CredentialID)}
	if v.SupersededBy != "" {
		p.Successor = credentialPath(v.SupersededBy)
	}
	s.FillBase(r, &p.BasePage, "credential.title")
	p.NoIndex = !v.Listed
	return s.Render(w, r, http.StatusOK, "credential", p)
}

// credentialFile is a file a credential route sends: a signed form of the
// credential or a badge baked with it.
type credentialFile struct {
	name, ctype string
	data        []byte
	svg         bool
}

// credentialKey names the credential of a file route: a public ID, or one
// of the signed-in holder's earned certifications.
type credentialKey struct {
	id portal.CredentialID
	uc int64
}

// serveCredentialFile serves a file of a credential as a download that
// scripts on any site may read. A public route names the credential by
// {id}, any spelling redirected to its canonical path plus suffix; a
// holder's route (suffix "") names an earned certification by {id}.
func (s *Pages) serveCredentialFile(suffix string, get func(*http.Request, credentialKey) (*credentialFile, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.Credentials == nil {
			return portal.ErrNotFound
		}
		var key credentialKey
		if suffix != "" {
			id, ok, err := parseCredentialPath(w, r, suffix)
			if !ok {
				return err
			}
			key.id = id
		} else {
			uc, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
			if err != nil {
				return portal.ErrNotFound
			}
			key.uc = uc
		}
		f, err := get(r, key)
		if err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("Content-Disposition", `attachment; filename="`+f.name+`"`)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("X-Robots-Tag", "noindex")
		h.Set("X-Content-Type-Options", "nosniff")
		if f.svg {
			h.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox")
		}
		_, err = w.Write(f.data)
		return err
	}
}

// handleCredentialDocument downloads a signed form of a credential for
// anyone.
func (s *Pages) handleCredentialDocument(form string) func(http.ResponseWriter, *http.Request) error {
	return s.serveCredentialFile("/credential."+form, func(r *http.Request, k credentialKey) (*credentialFile, error) {
		doc, err := s.Credentials.Document(r.Context(), web.RequestIP(r), k.id, form)
		var unknown *credentials.UnknownError
		if errors.As(err, &unknown) {
			// Made as for a known ID, never sent.
			_ = documentFile(string(k.id), form, unknown.Document)
		}
		if err != nil {
			return nil, err
		}
		return documentFile(string(k.id), form, doc), nil
	})
}

// handleHolderCredentialDocument downloads a signed form of the
// credential of one of the signed-in holder's certifications; anyone
// else's is not found.
func (s *Pages) handleHolderCredentialDocument(form string) func(http.ResponseWriter, *http.Request) error {
	return s.serveCredentialFile("", func(r *http.Request, k credentialKey) (*credentialFile, error) {
		doc, err := s.Credentials.HolderDocument(r.Context(), web.Actor(r), k.uc, form)
		if err != nil {
			return nil, err
		}
		return documentFile("", form, doc), nil
	})
}

// documentFile is a signed form of credential id ("" for the holder's
// download, named without it).
func documentFile(id, form, doc string) *credentialFile {
	f := &credentialFile{name: "credential." + form, ctype: "application/vc+ld+json", data: []byte(doc)}
	if id != "" {
		f.name = "credential-" + id + "." + form
	}
	if form == credentials.FormJWT {
		f.ctype = "application/vc+jwt"
	}
	return f
}

// Badge image formats.
const (
	badgePNG = "png"
	badgeSVG = "svg"
)

// handleCredentialBadge downloads the badge of a credential, baked with
// it, for anyone. For an unknown ID the stand-in's badge is drawn and
// baked as a known one's would be, then thrown away.
func (s *Pages) handleCredentialBadge(format string) func(http.ResponseWriter, *http.Request) error {
	return s.serveCredentialFile("/badge."+format, func(r *http.Request, k credentialKey) (*credentialFile, error) {
		b, err := s.Credentials.PublicBadge(r.Context(), web.RequestIP(r), k.id)
		var unknown *credentials.UnknownError
		if errors.As(err, &unknown) && unknown.Badge != nil {
			if _, drawErr := s.badgeFile(r, unknown.Badge, format); drawErr != nil {
				return nil, drawErr
			}
		}
		if err != nil {
			return nil, err
		}
		return s.badgeFile(r, b, format)
	})
}

// handleHolderBadge downloads the badge of one of the signed-in holder's
// certifications, baked with its current credential; anyone else's is not
// found.
func (s *Pages) handleHolderBadge(format string) func(http.ResponseWriter, *http.Request) error {
	return s.serveCredentialFile("", func(r *http.Request, k credentialKey) (*credentialFile, error) {
		b, err := s.Credentials.HolderBadge(r.Context(), web.Actor(r), k.uc)
		if err != nil {
			return nil, err
		}
		return s.badgeFile(r, b, format)
	})
}

// badgeFile draws a badge with the program's logo and bakes its
// credential into it.
func (s *Pages) badgeFile(r *http.Request, b *credentials.Badge, format string) (*credentialFile, error) {
	tpl := b.Template
	if s.Program != nil {
		logo, _, err := s.Program.Logo(r.Context())
		switch {
		case err == nil:
			tpl.Logo = logo
		case !errors.Is(err, portal.ErrNotFound):
			return nil, err
		}
	}
	f := &credentialFile{name: "badge-" + string(b.CredentialID) + "." + format}
	var err error
	switch format {
	case badgePNG:
		var plain []byte
		if plain, err = s.badges.PNG(tpl); err == nil {
			f.data, err = openbadges.BakePNG(plain, b.Credential)
		}
		f.ctype = openbadges.MediaPNG
	default:
		f.data, err = openbadges.BakeSVG(badge.SVG(tpl), b.Credential)
		f.ctype, f.svg = openbadges.MediaSVG, true
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}
