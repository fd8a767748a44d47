package accounts

import (
	"strings"
	"unicode"
	"unicode/utf8"

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
		v.Add(field, "password.too_short", map[string]any{"Min": p.MinLength})
		return
	case n > p.MaxLength:
		v.Add(field, "password.too_long", map[string]any{"Max": p.MaxLength})
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
	lowered := strings.ToLower(password)
	local, _, _ := strings.Cut(c.Email, "@")
	for _, w := range []string{c.ProgramName, c.FirstName, c.LastName, local} {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) >= 3 && strings.Contains(lowered, w) {
			v.Add(field, "password.contains_context", map[string]any{"Word": w})
			return
		}
	}
}
