package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"example.org/certportal/internal/badge"
	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
)

// Public verification of credentials: a form at /credentials, a page per
// credential at /credentials/{id} (what a certificate's QR code encodes),
// and downloads of the two signed forms. Anyone may use them, signed in or
// not; the credentials service limits lookups per address and decides what
// is shown.

type credentialLookupPage struct {
	BasePage
	Form *Form
}

type credentialPage struct {
	BasePage
	V *credentials.Verification
	// Path is the credential's canonical page; Successor the page of the
	// credential that replaced it, if any.
	Path, Successor string
}

// credentialPath is the canonical path of a credential's page.
func credentialPath(id portal.CredentialID) string { return "/credentials/" + string(id) }

// handleCredentialLookup shows the verification form, and sends a
// submitted ID, in any case and spacing, to its page.
func (s *Server) handleCredentialLookup(w http.ResponseWriter, r *http.Request) error {
	if s.creds == nil {
		return portal.ErrNotFound
	}
	p := &credentialLookupPage{Form: newForm()}
	s.fillBase(r, &p.BasePage, "credential.lookup.title")
	p.NoIndex = true
	if _, asked := r.URL.Query()["id"]; !asked {
		return s.render(w, r, http.StatusOK, "credential_lookup", p)
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
	p.Form.setError("id", p.T.T(msg, nil))
	p.Errors = append(p.Errors, SummaryItem{Field: "id", Message: p.Form.Error("id")})
	return s.render(w, r, http.StatusUnprocessableEntity, "credential_lookup", p)
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
		u := url.URL{Path: credentialPath(id) + suffix}
		http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
		return "", false, nil
	}
	return id, true, nil
}

// handleCredential shows what anyone may know of a credential: status,
// holder, certification, dates and issuer.
func (s *Server) handleCredential(w http.ResponseWriter, r *http.Request) error {
	if s.creds == nil {
		return portal.ErrNotFound
	}
	id, ok, err := parseCredentialPath(w, r, "")
	if !ok {
		return err
	}
	v, err := s.creds.Lookup(r.Context(), s.clientIP(r), id)
	if err != nil {
		return err
	}
	p := &credentialPage{V: v, Path: credentialPath(v.CredentialID)}
	if v.SupersededBy != "" {
		p.Successor = credentialPath(v.SupersededBy)
	}
	s.fillBase(r, &p.BasePage, "credential.title")
	p.NoIndex = true
	return s.render(w, r, http.StatusOK, "credential", p)
}

// handleCredentialDocument downloads a signed form of a credential for
// anyone.
func (s *Server) handleCredentialDocument(form string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.creds == nil {
			return portal.ErrNotFound
		}
		id, ok, err := parseCredentialPath(w, r, "/credential."+form)
		if !ok {
			return err
		}
		doc, err := s.creds.Document(r.Context(), s.clientIP(r), id, form)
		if err != nil {
			return err
		}
		return writeCredentialDocument(w, string(id), form, doc)
	}
}

// handleHolderCredentialDocument downloads a signed form of the
// credential of one of the signed-in holder's certifications; anyone
// else's is not found.
func (s *Server) handleHolderCredentialDocument(form string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.creds == nil {
			return portal.ErrNotFound
		}
		ucID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return portal.ErrNotFound
		}
		doc, err := s.creds.HolderDocument(r.Context(), actor(r), ucID, form)
		if err != nil {
			return err
		}
		return writeCredentialDocument(w, "", form, doc)
	}
}

// writeCredentialDocument sends a credential document as a download that
// scripts on any site may read.
func writeCredentialDocument(w http.ResponseWriter, id, form, doc string) error {
	name := "credential." + form
	if id != "" {
		name = "credential-" + id + "." + form
	}
	ctype := "application/vc+ld+json"
	if form == credentials.FormJWT {
		ctype = "application/vc+jwt"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Robots-Tag", "noindex")
	_, err := w.Write([]byte(doc))
	return err
}

// Badge image formats.
const (
	badgePNG = "png"
	badgeSVG = "svg"
)

// handleCredentialBadge downloads the badge of a credential, baked with
// it, for anyone.
func (s *Server) handleCredentialBadge(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.creds == nil {
			return portal.ErrNotFound
		}
		id, ok, err := parseCredentialPath(w, r, "/badge."+format)
		if !ok {
			return err
		}
		b, err := s.creds.PublicBadge(r.Context(), s.clientIP(r), id)
		if err != nil {
			return err
		}
		return s.writeBadge(w, r, b, format)
	}
}

// handleHolderBadge downloads the badge of one of the signed-in holder's
// certifications, baked with its current credential; anyone else's is not
// found.
func (s *Server) handleHolderBadge(format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.creds == nil {
			return portal.ErrNotFound
		}
		ucID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return portal.ErrNotFound
		}
		b, err := s.creds.HolderBadge(r.Context(), actor(r), ucID)
		if err != nil {
			return err
		}
		return s.writeBadge(w, r, b, format)
	}
}

// writeBadge draws a badge with the program's logo, bakes its credential
// into it and sends it as a download that scripts on any site may read.
func (s *Server) writeBadge(w http.ResponseWriter, r *http.Request, b *credentials.Badge, format string) error {
	tpl := b.Template
	if s.program != nil {
		logo, _, err := s.program.Logo(r.Context())
		switch {
		case err == nil:
			tpl.Logo = logo
		case !errors.Is(err, portal.ErrNotFound):
			return err
		}
	}
	var (
		img   []byte
		err   error
		ctype string
	)
	switch format {
	case badgePNG:
		var plain []byte
		if plain, err = badge.PNG(tpl); err == nil {
			img, err = openbadges.BakePNG(plain, b.Credential)
		}
		ctype = openbadges.MediaPNG
	default:
		img, err = openbadges.BakeSVG(badge.SVG(tpl), b.Credential)
		ctype = openbadges.MediaSVG
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="badge-`+string(b.CredentialID)+`.`+format+`"`)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("X-Content-Type-Options", "nosniff")
	if format == badgeSVG {
		h.Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox")
	}
	_, err = w.Write(img)
	return err
}
