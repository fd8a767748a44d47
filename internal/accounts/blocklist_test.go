package accounts

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIsCommonPassword(t *testing.T) {
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{
		// exact, case-insensitive
		{"listed with a digit", "Password1", true},
		{"keyboard walk", "qwerty123", true},
		{"phrase", "iloveyou", true},
		{"upper case", "ILOVEYOU", true},
		{"listed leet", "P@ssw0rd", true},
		// stem: trailing digits and symbols
		{"season and year", "Summer2024!", true},
		{"welcome", "Welcome1!", true},
		{"month", "September2025", true},
		{"name and year", "Jennifer1990", true},
		{"word and spaces", "password   ", true},
		{"spanish season", "Verano2024!", true},
		{"spanish month", "Diciembre2025", true},
		{"accented supplement", "Contraseña123", true},
		{"portal vocabulary", "Certification1", true},
		// stem: leading digits and symbols too
		{"leading digits", "123Password", true},
		{"both ends", "!!Monkey99", true},
		// leet in the stem
		{"leet stem", "Dr4g0n2024!", true},
		{"leet one as l", "F00tba11", true},
		{"leet one as i", "Pr1ncess!", true},
		{"leading leet", "@dmin2024", true},
		{"dollar", "Pa$$word1", true},
		// accepted
		{"xkcd troubadour", "Tr0ub4dor&3x", false},
		{"random", "Xk9$mQ2!vLp", false},
		{"word inside a longer string", "monkeybusiness-in-Lisbon7", false},
		{"passphrase", "correct horse battery staple", false},
		{"64-char passphrase", "Quiet otters juggle neon pebbles under 7 purple lighthouses now!", false},
		{"unicode", "Ünïcödé-Pässwörd-✓-42", false},
		{"digits only", "8675309000", false},
		{"empty", "", false},
		{"symbols only", "!!!!!!!!", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isCommonPassword(tc.pw); got != tc.want {
				t.Fatalf("isCommonPassword(%q) = %v, want %v", tc.pw, got, tc.want)
			}
		})
	}
	if n := utf8.RuneCountInString("Quiet otters juggle neon pebbles under 7 purple lighthouses now!"); n != 64 {
		t.Fatalf("passphrase case has %d characters, want 64", n)
	}
}

// TestBlocklistData checks the embedded file the way blocklist.go relies on
// it: sorted bytewise (binary search), unique, lower-case, no blank lines, and
// every line found.
func TestBlocklistData(t *testing.T) {
	if !strings.HasSuffix(commonPasswords, "\n") || strings.Contains(commonPasswords, "\r") {
		t.Fatal("common-passwords.txt must be LF-terminated lines")
	}
	lines := strings.Split(strings.TrimSuffix(commonPasswords, "\n"), "\n")
	if len(lines) < 40000 {
		t.Fatalf("only %d entries", len(lines))
	}
	if got := len(blocklist()) - 1; got != len(lines) {
		t.Fatalf("index has %d entries, file %d", got, len(lines))
	}
	for i, w := range lines {
		if utf8.RuneCountInString(w) < 4 || w != strings.ToLower(w) || strings.TrimSpace(w) != w || !utf8.ValidString(w) {
			t.Errorf("line %d: bad entry %q", i+1, w)
		}
		if i > 0 && lines[i-1] >= w {
			t.Fatalf("line %d: %q not after %q: the file must be sorted and unique", i+1, w, lines[i-1])
		}
		if !listed(w) {
			t.Errorf("listed(%q) = false", w)
		}
	}
	for _, w := range []string{"", "aaa", "!", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "password\n", "~~~~~~~~", "xq7-not-listed"} {
		if listed(w) {
			t.Errorf("listed(%q) = true", w)
		}
	}
}

func BenchmarkIsCommonPassword(b *testing.B) {
	blocklist()
	for b.Loop() {
		isCommonPassword("Tr0ub4dor&3x-2024!")
	}
}
