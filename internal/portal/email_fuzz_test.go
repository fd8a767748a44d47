package portal_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
)

// FuzzNormalizeEmail (SECURITY.md IN-06): NormalizeEmail never panics, and an
// address it accepts is a clean, canonical account key: valid UTF-8, at most
// 254 bytes, one @, lower-case, no space, control or format character, and
// unchanged when normalised again.
//
//	go test -run '^$' -fuzz=FuzzNormalizeEmail -fuzztime=5m -fuzzminimizetime=1s ./internal/portal/
//
// -fuzzminimizetime keeps the fuzzer from stalling for minutes while it
// minimizes a new input grown from the 10,000-character seeds.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"alice@example.org",
		"  Alice.Smith+tag@Example.ORG  ",
		"a@b.co",
		"",
		"@",
		"a@@b.co",
		"a@b@c.co",
		"a@b",
		"a@.b.co",
		"a@b..co",
		"a@b.co.",
		"a\x00@b.co",
		"a@b.co\x00",
		"\xff\xfe@b.co",
		"a@b.c\xc3",
		"a\u202e@b.co",            // right-to-left override
		"\u202egro.elpmaxe@ecila", // RTL override in front
		"a\u200b@b.co",            // zero-width space
		"a\u0085@b.co",            // NEL
		"a\u0080@b.co",            // C1 control
		"a\u00a0@b.co",            // no-break space
		"a\u3000@b.co",            // ideographic space
		"a\ufeff@b.co",            // byte-order mark
		"a@b\u202e.co",            // override in the domain
		"ÀLICE@ÉXAMPLE.ORG",
		"İstanbul@example.org", // upper-case dotted I
		"ǅ@example.org",        // title case
		"\"><img src=x onerror=alert(1)>@x.co",
		"<script>@x.co",
		"\"quoted\"@example.org",
		"a(comment)@example.org",
		"Alice <alice@example.org>",
		"alice@[127.0.0.1]",
		strings.Repeat("a", 64) + "@example.org",
		strings.Repeat("a", 65) + "@example.org",
		"a@" + strings.Repeat("b", 245) + ".org",
		"a@" + strings.Repeat("b", 246) + ".org",
		strings.Repeat("x", 10000),
		strings.Repeat("a", 5000) + "@" + strings.Repeat("b", 4995) + ".org",
		strings.Repeat("ß", 30) + "@example.org",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok := portal.NormalizeEmail(raw)
		if !ok {
			if got != "" {
				t.Fatalf("NormalizeEmail(%q) = %q, false: want an empty result when rejected", raw, got)
			}
			return
		}
		switch {
		case !utf8.ValidString(got):
			t.Fatalf("NormalizeEmail(%q) = %q: invalid UTF-8", raw, got)
		case len(got) > 254:
			t.Fatalf("NormalizeEmail(%q) = %q: %d bytes, over 254", raw, got, len(got))
		case strings.Count(got, "@") != 1:
			t.Fatalf("NormalizeEmail(%q) = %q: want exactly one @", raw, got)
		case strings.ToLower(got) != got:
			t.Fatalf("NormalizeEmail(%q) = %q: not lower-case", raw, got)
		}
		for _, r := range got {
			// Format characters (bidi overrides, zero-width spaces, BOM) are
			// invisible: "alice\u200b@example.org" would be a second account
			// that looks like alice@example.org.
			if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("NormalizeEmail(%q) = %q: contains %U", raw, got, r)
			}
		}
		if again, ok := portal.NormalizeEmail(got); !ok || again != got {
			t.Fatalf("NormalizeEmail(%q) = %q, but NormalizeEmail(%q) = %q, %v: not idempotent", raw, got, got, again, ok)
		}
	})
}
