package accounts

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"example.org/certportal/internal/portal"
)

// PasswordPolicy is the program's password rule, enforced on the server.
// The default is the program's published rule (at least 8 characters with
// an upper-case letter, a lower-case letter and a digit); a length-only
// policy is RequireClasses=false. Context words (the program's name, the
// user's names and email local part) are always refused.
type PasswordPolicy struct {
	MinLength      int
	MaxLength      int
	RequireClasses bool
}

// DefaultPolicy is the program's published rule.
var DefaultPolicy = PasswordPolicy{MinLength: 8, MaxLength: 1024, RequireClasses: true}

// PasswordContext is what a password must not contain.
type PasswordContext struct {
	ProgramName string
	FirstName   string
	LastName    string
	Email       string
}

// Check adds one field error naming the first rule the password breaks.
// The password is checked exactly as typed: no trimming, no case folding.
func (p PasswordPolicy) Check(v *portal.Validation, field, password string, c PasswordContext) {
	n := utf8.RuneCountInString(password)
	switch {
	case password == "":
		v.Add(field, "password.required", nil)
		return
	case !utf8.ValidString(password) || strings.ContainsRune(password, 0):
		v.Add(field, "field.invalid_utf8", nil)
		return
	case n < p.MinLength:
		v.Add(field, "password.too_short", map[string]any{"Count": p.MinLength})
		return
	case n > p.MaxLength:
		v.Add(field, "password.too_long", map[string]any{"Count": p.MaxLength})
		return
	}
	if p.RequireClasses {
		var upper, lower, digit bool
		for _, r := range password {
			upper = upper || unicode.IsUpper(r)
			lower = lower || unicode.IsLower(r)
			digit = digit || unicode.IsDigit(r)
		}
		var missing []string
		if !upper {
			missing = append(missing, "upper")
		}
		if !lower {
			missing = append(missing, "lower")
		}
		if !digit {
			missing = append(missing, "digit")
		}
		if len(missing) > 0 {
			v.Add(field, "password.missing_"+strings.Join(missing, "_"), nil)
			return
		}
	}
	folded := fold(password)
	local, _, _ := strings.Cut(c.Email, "@")
	words := []string{c.ProgramName, local}
	// Names count whole and word by word: "García López" refuses
	// "garcialopez1A" as well as "Lopez2024!".
	for _, name := range []string{c.FirstName, c.LastName, c.FirstName + c.LastName} {
		words = append(words, name)
		words = append(words, strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '\'' })...)
	}
	for _, w := range words {
		f := fold(w)
		if utf8.RuneCountInString(f) >= 3 && strings.Contains(folded, f) {
			v.Add(field, "password.contains_context", map[string]any{"Word": strings.TrimSpace(w)})
			return
		}
	}
}

// fold lower-cases s, drops diacritics and spaces, so "García López" and
// "garcialopez" compare equal.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) || unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
