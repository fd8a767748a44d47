package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
)

// bodyLimit is the largest request body; larger ones are refused with 413.
const bodyLimit = 16 << 10

// drainLimit is how much of a refused request's unread body is read and
// thrown away before the answer, so that a client that sends its whole
// body before reading gets the answer instead of a reset connection. A
// body longer than this is cut off: the connection closes after the
// answer.
const drainLimit = 1 << 20

const contentTypeJSON = "application/json; charset=utf-8"

// writeJSON encodes v as the response.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.ErrorContext(r.Context(), "encode response", "route", r.Pattern, "err", err.Error())
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"Internal error","message_id":"error.internal"}}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// drainBody reads and discards what is left of the request body, up to
// drainLimit (see there).
func drainBody(r *http.Request) {
	if r.Body != nil {
		_, _ = io.CopyN(io.Discard, r.Body, drainLimit)
	}
}

// decodeBody reads a JSON object into dst, a pointer to a struct whose
// fields carry json tags. It refuses: another Content-Type (415), a body
// over bodyLimit (413), anything but one well-formed JSON object in UTF-8
// (400), and fields dst lacks or values of the wrong type (422, naming
// the fields). Keys must match the tags exactly.
func decodeBody(r *http.Request, dst any) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errUnsupportedMedia
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errUnsupportedMedia
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, bodyLimit+1))
	if err != nil {
		return errMalformedJSON
	}
	if len(body) > bodyLimit {
		return errTooLarge
	}
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != '{' || !utf8.Valid(body) {
		return errMalformedJSON
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return errMalformedJSON
	}
	known := jsonFields(dst)
	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		var v portal.Validation
		for _, k := range unknown {
			v.Add(k, "api.unknown_field", nil)
		}
		return v.Err()
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			var v portal.Validation
			v.Add(te.Field, "api.field_type", nil)
			return v.Err()
		}
		return errMalformedJSON
	}
	return nil
}

// jsonFields returns the JSON names of the fields of the struct dst points
// to.
func jsonFields(dst any) map[string]bool {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
	}
	return out
}
