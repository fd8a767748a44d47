package portal

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxEmailLen = 254 // RFC 5321 path limit
	maxLocalLen = 64
)

// NormalizeEmail trims and lower-cases an address and checks its form. The
// normalised form is the account's unique key.
func NormalizeEmail(raw string) (string, bool) {
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, 0) {
		return "", false
	}
	e := strings.ToLower(strings.TrimSpace(raw))
	if e == "" || len(e) > maxEmailLen || strings.ContainsAny(e, " \t\r\n<>()[]\\,;:\"") {
		return "", false
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(local) > maxLocalLen || strings.Contains(domain, "@") {
		return "", false
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	for _, r := range e {
		// Controls (C0 and C1), spaces and invisible format characters
		// (bidi overrides, zero-width spaces, BOM) would make look-alike keys.
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return "", false
		}
	}
	if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
		return "", false
	}
	return e, true
}
