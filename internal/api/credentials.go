package api

import (
	"net/http"

	"example.org/certportal/internal/credentials"
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
	if err != nil {
		return err
	}
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
	w.Header().Set("Access-Control-Allow-Origin", "*")
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
