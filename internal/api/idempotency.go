package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"example.org/certportal/internal/idempotency"
	"example.org/certportal/internal/portal"
)

// maxKeyLen is the longest Idempotency-Key the service keeps.
const maxKeyLen = 255

// fingerprint is what identifies a request under an idempotency key: the
// operation, its path (which names the booking) and the decoded body. The
// same key for another operation or another body is refused.
type fingerprint struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Body   any    `json:"body"`
}

// operation performs a state change and returns the status and value of
// its response, or an error.
type operation func(ctx context.Context) (status int, v any, err error)

// mutate serves a POST: it requires an Idempotency-Key header, decodes the
// JSON body into req and runs op at most once per principal and key
// (idempotency.Service.Run, SECURITY.md CONC-04). The response,
// refusals included, is stored; a repeat of the same request gets the
// stored status and body with Idempotent-Replayed: true. Internal errors,
// rate limits and an unavailable provider are not stored, so a retry with
// the key runs again. The key's conflicts (another request, still in
// flight) come back as errors.
func (s *server) mutate(w http.ResponseWriter, r *http.Request, a portal.Actor, req any, op operation) error {
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	if err := decodeBody(r, req); err != nil {
		return err
	}
	stored, replayed, err := s.runOnce(r, a, key, fingerprint{Method: r.Method, Path: r.URL.Path, Body: req}, op)
	if err != nil {
		return err
	}
	writeStored(w, stored, replayed)
	return nil
}

// writeStored sends a response runOnce returned, marking a replay.
func writeStored(w http.ResponseWriter, stored idempotency.Response, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeRaw(w, stored.Status, []byte(stored.Body))
}

// runOnce runs op at most once per principal and key under the request's
// fingerprint fp and returns the response to send, stored or replayed
// (replayed true). mutate fingerprints a decoded JSON body; the results
// import, whose body is a file, the file's hash.
func (s *server) runOnce(r *http.Request, a portal.Actor, key string, fp fingerprint, op operation) (idempotency.Response, bool, error) {
	// Once started, a change runs to its end even if the client goes
	// away: its outcome is what the retry with the same key gets.
	ctx := context.WithoutCancel(r.Context())
	return s.idem.Run(ctx, idempotency.ScopeOf(a), key, fp, func() (idempotency.Response, error) {
		status, v, err := op(ctx)
		if err != nil {
			if !storable(err) {
				return idempotency.Response{}, err
			}
			status, v = s.errorResponse(r, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return idempotency.Response{}, err
		}
		return idempotency.Response{Status: status, Body: string(b)}, nil
	})
}

// idempotencyKey reads the Idempotency-Key header: 1 to 255 printable
// ASCII characters, optionally as a quoted string (draft-ietf-httpapi-
// idempotency-key-header), whose quotes are not part of the key.
func idempotencyKey(r *http.Request) (string, error) {
	values := r.Header.Values("Idempotency-Key")
	if len(values) == 0 || strings.TrimSpace(values[0]) == "" {
		return "", errKeyRequired
	}
	if len(values) > 1 {
		return "", errKeyInvalid
	}
	key := strings.TrimSpace(values[0])
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		key = key[1 : len(key)-1]
	}
	if key == "" || len(key) > maxKeyLen {
		return "", errKeyInvalid
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", errKeyInvalid
		}
	}
	return key, nil
}
