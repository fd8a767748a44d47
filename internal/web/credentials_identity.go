package web

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
func (s *Server) handleDIDDocument(w http.ResponseWriter, r *http.Request) error {
	if s.creds == nil {
		return portal.ErrNotFound
	}
	doc, err := s.creds.DIDDocument(r.Context())
	if err != nil {
		return err
	}
	return writePublicJSON(w, "application/did+json", doc)
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
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(publicDocumentMaxAge.Seconds())))
	_, err := w.Write(buf.Bytes())
	return err
}
