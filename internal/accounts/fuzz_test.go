package accounts

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"example.org/certportal/internal/portal"
)

// Fuzz tests for the input parsers (SECURITY.md IN-06). The seeds run with
// every go test; to search for more inputs, one target at a time:
//
//	go test -run '^$' -fuzz='^FuzzNormalizeName$' -fuzztime=5m -fuzzminimizetime=1s ./internal/accounts/
//	go test -run '^$' -fuzz='^FuzzPasswordPolicy$' -fuzztime=5m -fuzzminimizetime=1s ./internal/accounts/
//	go test -run '^$' -fuzz='^FuzzIsCommonPassword$' -fuzztime=5m -fuzzminimizetime=1s ./internal/accounts/
//
// -fuzzminimizetime keeps the fuzzer from stalling for minutes while it
// minimizes a new input grown from the 10,000-character seeds.

// tricky are inputs every fuzz target here starts from.
var tricky = []string{
	"",
	" ",
	"Alice",
	"  Ada   Lovelace  ",
	"O'Brien-Smith Jr.",
	"D’Arcy",
	"José",
	"Jose\u0301",           // NFD: e + combining acute
	"Ångström",             // precomposed
	"A\u030angstro\u0308m", // decomposed
	"\u0301Ana",            // leading combining mark
	"Ana \u0301",           // mark after a space
	"Mary\u00a0Jane",       // no-break space
	"Mary\u3000Jane",       // ideographic space
	"Mary\tJane\nDoe",
	"Mary\u0085Jane",   // NEL
	"Zoë\u200bSaldaña", // zero-width space
	"Alice\u202eecilA", // right-to-left override
	"\u202dBob",        // left-to-right override
	"محمد علي",         // Arabic
	"山田 太郎",            // CJK
	"Nguyễn Văn A",     // Vietnamese, stacked marks
	"ǅemal",            // title-case letter
	"\x00",             // NUL
	"Ali\x00ce",        // embedded NUL
	"\xff\xfe",         // invalid UTF-8
	"Al\xc3ice",        // truncated sequence
	"\xed\xa0\x80",     // UTF-16 surrogate encoded in UTF-8
	"\"><img src=x onerror=alert(1)>",
	"<script>alert(1)</script>",
	"Robert'); DROP TABLE users;--",
	"Password1",
	"Summer2024!",
	"P@ssw0rd",
	"Tr0ub4dor&3x",
	"correct horse battery staple",
	"😀😀😀😀😀😀😀😀",
	"ﬀ ﬁ Ⅻ ℌ", // compatibility characters
	strings.Repeat("a", 100),
	strings.Repeat("a", 101),
	strings.Repeat("é", 100),
	strings.Repeat("e\u0301", 100), // 200 runes before NFC, 100 after
	strings.Repeat("a ", 60),
	strings.Repeat("x", 10000),
	strings.Repeat("Aa1 ", 2500),
}

// FuzzNormalizeName: NormalizeName never panics, and a name it accepts is
// canonical: NFC, at most 100 runes, single inner spaces, only letters, marks,
// spaces and ' - . ’, and unchanged when normalised again.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := NormalizeName(raw)
		if !ok {
			return
		}
		switch {
		case !utf8.ValidString(got):
			t.Fatalf("NormalizeName(%q) = %q: invalid UTF-8", raw, got)
		case !norm.NFC.IsNormalString(got):
			t.Fatalf("NormalizeName(%q) = %q: not NFC", raw, got)
		case utf8.RuneCountInString(got) > maxNameLen:
			t.Fatalf("NormalizeName(%q) = %q: %d runes, over %d", raw, got, utf8.RuneCountInString(got), maxNameLen)
		case got == "" || strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  "):
			t.Fatalf("NormalizeName(%q) = %q: empty, or leading, trailing or double spaces", raw, got)
		}
		letters := 0
		for _, r := range got {
			switch {
			case unicode.IsLetter(r):
				letters++
			case unicode.IsMark(r), r == ' ', r == '\'', r == '-', r == '.', r == '’':
			default:
				t.Fatalf("NormalizeName(%q) = %q: contains %U", raw, got, r)
			}
		}
		if letters == 0 {
			t.Fatalf("NormalizeName(%q) = %q: no letter", raw, got)
		}
		if again, ok := NormalizeName(got); !ok || again != got {
			t.Fatalf("NormalizeName(%q) = %q, but NormalizeName(%q) = %q, %v: not idempotent", raw, got, got, again, ok)
		}
	})
}

// FuzzPasswordPolicy: Check never panics, for any bytes, under each kind of
// policy; a rejection is exactly one error on the field with a message ID;
// an accepted password is valid UTF-8 without NUL, within the length bounds.
func FuzzPasswordPolicy(f *testing.F) {
	for i, s := range tricky {
		f.Add(s, uint8(i), "Alice", "Smith", "alice.smith@example.org")
	}
	f.Add("Alice.Smith2025", uint8(0), "Alice", "Smith", "alice.smith@example.org")
	f.Add("Abcdef1x", uint8(0), "", "", "")
	f.Add("Abcdef1x", uint8(1), "\xff", "\x00", "@@")
	f.Add("Zz9zzzzzzzzzzzzz", uint8(2), "zz", "zzz", "zzz@zzz")
	policies := []PasswordPolicy{
		DefaultPolicy,
		{MinLength: 8, MaxLength: 1024}, // length only
		{MinLength: 15, MaxLength: 128, RequireClasses: true}, // strict length, classes
		{MinLength: 0, MaxLength: 4},                          // degenerate configuration
	}
	f.Fuzz(func(t *testing.T, pw string, which uint8, first, last, email string) {
		p := policies[int(which)%len(policies)]
		c := PasswordContext{ProgramName: "Acme Cloud", FirstName: first, LastName: last, Email: email}
		var v portal.Validation
		p.Check(&v, "password", pw, c)
		switch len(v.Fields) {
		case 0:
			n := utf8.RuneCountInString(pw)
			if pw == "" || !utf8.ValidString(pw) || strings.ContainsRune(pw, 0) || n < p.MinLength || n > p.MaxLength {
				t.Fatalf("policy %+v accepted %q (%d runes)", p, pw, n)
			}
		case 1:
			if e := v.Fields[0]; e.Field != "password" || e.Message == "" {
				t.Fatalf("policy %+v: %q rejected with %+v: want field \"password\" and a message ID", p, pw, e)
			}
		default:
			t.Fatalf("policy %+v: %q gave %d errors, want at most 1: %+v", p, pw, len(v.Fields), v.Fields)
		}
	})
}

// FuzzIsCommonPassword: the blocklist lookup never panics and ignores ASCII
// case.
func FuzzIsCommonPassword(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		got := isCommonPassword(pw)
		if isASCII(pw) {
			if up := isCommonPassword(strings.ToUpper(pw)); up != got {
				t.Fatalf("isCommonPassword(%q) = %v but %v upper-cased", pw, got, up)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
