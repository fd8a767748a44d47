package candidate

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/portal"
)

// publicDocumentMaxAge is how long verifiers and caches may keep the
// program's public credential documents (the DID document) before asking
// again.
const publicDocumentMaxAge = 5 * time.Minute

// handleDIDDocument serves the program's DID document (did:web): every
// signing key, current and retired. Verifiers on any site may read it.
func (s *Pages) handleDIDDocument(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	doc, err := s.Credentials.DIDDocument(r.Context())
	if err != nil {
		return err
	}
	return writePublicJSON(w, "application/did+json", doc)
}

// handleStatusList serves a signed status list credential (revocation or
// suspension) at the URL credentials name in their credentialStatus.
// Verifiers on any site may read it; it may be cached for 5 minutes, so a
// revocation reaches them within that time.
func (s *Pages) handleStatusList(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || number < 1 || strconv.Itoa(number) != r.PathValue("number") {
		return portal.ErrNotFound
	}
	doc, err := s.Credentials.SignedStatusList(r.Context(), r.PathValue("purpose"), number)
	if err != nil {
		return err
	}
	return writePublic(w, "application/vc+ld+json", doc)
}

// handleCredentialKit serves the offline verification kit: the DID
// document, every signed status list and the JSON-LD contexts, as of now.
// Anyone may read it from any site; it may be cached like the documents it
// holds.
func (s *Pages) handleCredentialKit(w http.ResponseWriter, r *http.Request) error {
	if s.Credentials == nil {
		return portal.ErrNotFound
	}
	kit, err := s.Credentials.Kit(r.Context())
	if err != nil {
		return err
	}
	return writePublicJSON(w, "application/json", kit)
}

// writePublicJSON writes a public, cacheable JSON document that scripts
// on other sites may read.
func writePublicJSON(w http.ResponseWriter, contentType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return writePublic(w, contentType, buf.Bytes())
}

// writePublic writes a public, cacheable document that scripts on other
// sites may read.
func writePublic(w http.ResponseWriter, contentType string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(publicDocumentMaxAge.Seconds())))
	_, err := w.Write(body)
	return err
}
