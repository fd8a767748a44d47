package accounts

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
)

// Field limits.
const maxNameLen = 100

// NormalizeName returns a legal name part in NFC with inner whitespace
// collapsed, or false when it holds anything but letters, marks, spaces and
// the punctuation names use (apostrophe, hyphen, period).
func NormalizeName(raw string) (string, bool) {
	if !utf8.ValidString(raw) {
		return "", false
	}
	n := strings.Join(strings.Fields(norm.NFC.String(raw)), " ")
	if n == "" || utf8.RuneCountInString(n) > maxNameLen {
		return "", false
	}
	letters := 0
	for _, r := range n {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsMark(r), r == ' ', r == '\'', r == '-', r == '.', r == '’':
		default:
			return "", false
		}
	}
	return n, letters > 0
}

// validateEmail adds a field error for a bad address and returns the
// normalised one.
func validateEmail(v *portal.Validation, field, raw string) string {
	if strings.TrimSpace(raw) == "" {
		v.Add(field, "field.email_required", nil)
		return ""
	}
	e, ok := portal.NormalizeEmail(raw)
	if !ok {
		v.Add(field, "field.invalid_email", nil)
	}
	return e
}

// validateName adds a field error for a bad legal name part.
func validateName(v *portal.Validation, field, raw string) string {
	if strings.TrimSpace(raw) == "" {
		v.Add(field, "field."+field+"_required", nil)
		return ""
	}
	if utf8.RuneCountInString(raw) > maxNameLen {
		v.Add(field, "field.too_long", map[string]any{"Count": maxNameLen})
		return ""
	}
	n, ok := NormalizeName(raw)
	if !ok {
		v.Add(field, "field.invalid_name", nil)
	}
	return n
}

// validateCountryRegion checks an ISO 3166-1 country code and, for a
// country with subdivisions, one of its ISO 3166-2 codes; it returns both
// in canonical upper case.
func validateCountryRegion(v *portal.Validation, country, region string) (string, string) {
	country = strings.ToUpper(strings.TrimSpace(country))
	region = strings.ToUpper(strings.TrimSpace(region))
	if _, ok := geo.CountryByCode(country); !ok {
		v.Add("country", "field.country_required", nil)
	} else if !geo.ValidRegion(country, region) {
		v.Add("region", "field.region_invalid", nil)
	}
	return country, region
}
