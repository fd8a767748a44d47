package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"example.org/certportal/internal/credentials"
	"example.org/certportal/internal/openbadges"
	"example.org/certportal/internal/portal"
)

// credentialView is what anyone may learn of a credential (Credential):
// the same fields as the public verification page.
type credentialView struct {
	ID            string                `json:"id"`
	URL           string                `json:"url"`
	Status        string                `json:"status"`
	StatusSince   *string               `json:"status_since"`
	HolderName    string                `json:"holder_name"`
	Certification credentialCertView    `json:"certification"`
	IssuedOn      string                `json:"issued_on"`
	ExpiresOn     string                `json:"expires_on"`
	ValidFrom     string                `json:"valid_from"`
	ValidUntil    string                `json:"valid_until"`
	Issuer        credentialIssuerView  `json:"issuer"`
	SupersededBy  *string               `json:"superseded_by"`
	Documents     *credentialDocumentsV `json:"documents"`
}

type credentialCertView struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type credentialIssuerView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type credentialDocumentsV struct {
	JSONLD string `json:"json_ld"`
	VCJWT  string `json:"vc_jwt"`
}

// handleCredentialGet returns the public verification of a credential;
// the ID is accepted in any case and spacing. Lookups are limited per
// address.
func (s *server) handleCredentialGet(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	if s.creds == nil {
		return portal.ErrNotFound
	}
	id, err := portal.ParseCredentialID(r.PathValue("id"))
	if err != nil {
		return portal.ErrNotFound
	}
	ip := ""
	if s.clientIP != nil {
		ip = s.clientIP(r)
	}
	v, err := s.creds.Lookup(r.Context(), ip, id)
	var unknown *credentials.UnknownError
	if errors.As(err, &unknown) && unknown.Verification != nil {
		// Encoded as for a known ID, never sent: an unknown ID is answered
		// after the same work (docs/credentials.md).
		_ = json.NewEncoder(io.Discard).Encode(s.credentialView(unknown.Verification))
	}
	if err != nil {
		return err
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	s.writeJSON(w, r, http.StatusOK, s.credentialView(v))
	return nil
}

// credentialView is the public view of a verification.
func (s *server) credentialView(v *credentials.Verification) credentialView {
	url := s.creds.CredentialURL(v.CredentialID)
	out := credentialView{ID: string(v.CredentialID), URL: url, Status: v.Status, StatusSince: utcPtr(v.StatusSince),
		HolderName: v.HolderName, Certification: credentialCertView{Code: v.CertificationCode, Name: v.CertificationName},
		IssuedOn: v.IssuedOn, ExpiresOn: v.ExpiresOn, ValidFrom: utc(v.ValidFrom), ValidUntil: utc(v.ValidUntil),
		Issuer: credentialIssuerView{ID: v.IssuerDID, Name: v.IssuerName, URL: v.IssuerURL}}
	if v.SupersededBy != "" {
		next := string(v.SupersededBy)
		out.SupersededBy = &next
	}
	if v.Signed {
		out.Documents = &credentialDocumentsV{JSONLD: url + "/credential." + credentials.FormJSONLD, VCJWT: url + "/credential." + credentials.FormJWT}
	}
	return out
}

// directoryView is whether one of the caller's certifications is listed
// in the public directory (DirectoryListing).
type directoryView struct {
	Certification int64 `json:"certification"`
	Listed        bool  `json:"listed"`
}

// handleDirectoryJoin lists one of the caller's certifications in the
// public directory. PUT is idempotent: listing twice is one listing, so
// it takes no Idempotency-Key.
func (s *server) handleDirectoryJoin(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	return s.directoryChoice(w, r, a, true)
}

// handleDirectoryLeave takes one of the caller's certifications out of the
// public directory, at once; idempotent like the PUT.
func (s *server) handleDirectoryLeave(w http.ResponseWriter, r *http.Request, a portal.Actor) error {
	return s.directoryChoice(w, r, a, false)
}

func (s *server) directoryChoice(w http.ResponseWriter, r *http.Request, a portal.Actor, join bool) error {
	if s.creds == nil {
		return portal.ErrNotFound
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return portal.ErrNotFound
	}
	change := s.creds.LeaveDirectory
	if join {
		change = s.creds.JoinDirectory
	}
	if err := change(r.Context(), a, id); err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, directoryView{Certification: id, Listed: join})
	return nil
}

// verifyView is the answer of the verify API (VerifyResult).
type verifyView struct {
	Verified   bool              `json:"verified"`
	Form       string            `json:"form"`
	StatusAsOf string            `json:"status_as_of"`
	Checks     []verifyCheckView `json:"checks"`
}

type verifyCheckView struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// handleCredentialVerify checks an uploaded credential, JSON-LD with its
// proof, a VC-JWT or a badge baked with either, against this portal's keys and status lists. It is
// anonymous and takes no idempotency key: it changes nothing. A credential
// that fails a check is a 200 with verified false. A baked badge image
// (image/png, image/svg+xml) is unbaked first.
func (s *server) handleCredentialVerify(w http.ResponseWriter, r *http.Request, _ portal.Actor) error {
	if s.creds == nil {
		return portal.ErrNotFound
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return errUnsupportedMedia
	}
	switch mt {
	case "application/ld+json", "application/json", "application/vc+jwt", "text/plain", openbadges.MediaPNG, openbadges.MediaSVG:
	default:
		return errUnsupportedMedia
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, openbadges.MaxCredentialSize+1))
	if err != nil {
		return errMalformedJSON
	}
	if len(body) > openbadges.MaxCredentialSize {
		return errTooLarge
	}
	res, err := s.creds.Verify(r.Context(), body)
	if err != nil {
		return err
	}
	out := verifyView{Verified: res.Verified, Form: res.Form, StatusAsOf: utc(res.StatusAsOf), Checks: []verifyCheckView{}}
	for _, c := range res.Checks {
		out.Checks = append(out.Checks, verifyCheckView{Check: c.Name, OK: c.OK, Detail: c.Detail})
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
