package portal

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// referenceID writes v independently of the code under test: base32 by
// math/big, check symbol by the value modulo 37.
func referenceID(v [16]byte) string {
	n := new(big.Int).SetBytes(v[:])
	var digits []byte
	for range credentialIDDigits {
		m := new(big.Int)
		n.DivMod(n, big.NewInt(32), m)
		digits = append([]byte{crockford[m.Int64()]}, digits...)
	}
	check := new(big.Int).Mod(new(big.Int).SetBytes(v[:]), big.NewInt(37)).Int64()
	return string(digits) + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U"[check])
}

func randomValue(r *rand.Rand) [16]byte {
	var v [16]byte
	for i := range v {
		v[i] = byte(r.IntN(256))
	}
	return v
}

func TestCredentialIDEncoding(t *testing.T) {
	var max [16]byte
	for i := range max {
		max[i] = 0xff
	}
	for _, tc := range []struct {
		name string
		v    [16]byte
		want string
	}{
		{"zero", [16]byte{}, "000000000000000000000000000"},
		{"one", [16]byte{15: 1}, "000000000000000000000000011"},
		{"max", max, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" + referenceID(max)[26:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(credentialIDFromBytes(tc.v)); got != tc.want || got != referenceID(tc.v) {
				t.Errorf("got %s, want %s (reference %s)", got, tc.want, referenceID(tc.v))
			}
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		v := randomValue(r)
		if got, want := string(credentialIDFromBytes(v)), referenceID(v); got != want {
			t.Fatalf("%x: got %s, want %s", v, got, want)
		}
	}
}

func TestNewCredentialIDIsRandomAndValid(t *testing.T) {
	seen := map[CredentialID]bool{}
	for range 200 {
		id, err := NewCredentialID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 27 || seen[id] {
			t.Fatalf("id %q: length %d, seen before %v", id, len(id), seen[id])
		}
		seen[id] = true
		if got, err := ParseCredentialID(string(id)); err != nil || got != id {
			t.Fatalf("parse %s = %s, %v", id, got, err)
		}
	}
}

func TestCredentialIDShownInGroupsOfFour(t *testing.T) {
	id := CredentialID("0123456789ABCDEFGHJKMNPQRST")
	if got, want := id.String(), "0123-4567-89AB-CDEF-GHJK-MNPQ-RST"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func TestParseCredentialIDReadsWhatPeopleType(t *testing.T) {
	id := credentialIDFromBytes(randomValue(rand.New(rand.NewPCG(3, 4))))
	withIs := strings.Map(func(r rune) rune {
		switch r {
		case '1':
			return 'i'
		case '0':
			return 'o'
		}
		return r
	}, strings.ToLower(id.String()))
	for _, tc := range []struct {
		name, in string
	}{
		{"canonical", string(id)},
		{"grouped", id.String()},
		{"lower case", strings.ToLower(id.String())},
		{"spaces", strings.ReplaceAll(id.String(), "-", " ")},
		{"stray separators", " " + strings.ReplaceAll(id.String(), "-", "- -") + " "},
		{"I, L and O", withIs},
		{"L as one", strings.ReplaceAll(string(id), "1", "L")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCredentialID(tc.in)
			if err != nil || got != id {
				t.Errorf("ParseCredentialID(%q) = %q, %v; want %q", tc.in, got, err, id)
			}
		})
	}
	for _, tc := range []struct {
		name, in string
	}{
		{"empty", ""},
		{"short", string(id[:26])},
		{"long", string(id) + "0"},
		{"U in the digits", "U" + string(id[1:])},
		{"punctuation", string(id[:5]) + "." + string(id[5:])},
		{"over 128 bits", "8" + string(id[1:])},
		{"check symbol in the digits", "*" + string(id[1:])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := ParseCredentialID(tc.in); err == nil {
				t.Errorf("ParseCredentialID(%q) = %q, want an error", tc.in, got)
			}
		})
	}
}

// TestCheckSymbolCatchesEveryTypo tries, for many random IDs, every single
// wrong character and every swap of two adjacent different characters: no
// such mistake may parse.
func TestCheckSymbolCatchesEveryTypo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ids := 2000
	if testing.Short() {
		ids = 200
	}
	for range ids {
		id := []byte(credentialIDFromBytes(randomValue(r)))
		for pos := range id {
			orig := id[pos]
			for i := 0; i < len(crockfordCheck); i++ {
				c := crockfordCheck[i]
				if c == orig {
					continue
				}
				id[pos] = c
				if _, err := ParseCredentialID(string(id)); err == nil {
					t.Fatalf("substituting %c at %d gives %s, which parses", c, pos, id)
				}
			}
			id[pos] = orig
		}
		for pos := 0; pos+1 < len(id); pos++ {
			if id[pos] == id[pos+1] {
				continue
			}
			id[pos], id[pos+1] = id[pos+1], id[pos]
			if _, err := ParseCredentialID(string(id)); err == nil {
				t.Fatalf("swapping %d and %d gives %s, which parses", pos, pos+1, id)
			}
			id[pos], id[pos+1] = id[pos+1], id[pos]
		}
	}
}

func FuzzParseCredentialID(f *testing.F) {
	id := credentialIDFromBytes([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	for _, s := range []string{string(id), id.String(), strings.ToLower(id.String()), "", "----", "7ZZZZZZZZZZZZZZZZZZZZZZZZZU", "ilo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCredentialID(s)
		if err != nil {
			return
		}
		if len(got) != 27 {
			t.Fatalf("%q parsed to %q", s, got)
		}
		for _, form := range []string{string(got), got.String(), strings.ToLower(got.String())} {
			again, err := ParseCredentialID(form)
			if err != nil || again != got {
				t.Fatalf("%q parsed to %q, whose form %q parses to %q, %v", s, got, form, again, err)
			}
		}
		// The value survives: writing it again gives the same ID.
		n := new(big.Int)
		for i := range 26 {
			n.Lsh(n, 5).Or(n, big.NewInt(int64(strings.IndexByte(crockford, got[i]))))
		}
		var v [16]byte
		n.FillBytes(v[:])
		if again := credentialIDFromBytes(v); again != got {
			t.Fatalf("%q parsed to %q, whose value writes as %q", s, got, again)
		}
	})
}
