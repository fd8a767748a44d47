package credentials

import (
	"bytes"
	"crypto/ed25519"
	"math/big"
	"strings"
	"testing"
)

// decode58 reads base58btc, for the tests.
func decode58(t *testing.T, s string) []byte {
	t.Helper()
	n := new(big.Int)
	for _, r := range s {
		i := strings.IndexRune(base58Alphabet, r)
		if i < 0 {
			t.Fatalf("%q is not base58", s)
		}
		n.Mul(n, big.NewInt(58)).Add(n, big.NewInt(int64(i)))
	}
	lead := 0
	for lead < len(s) && s[lead] == '1' {
		lead++
	}
	return append(make([]byte, lead), n.Bytes()...)
}

func TestBase58(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, ""},
		{"leading zeros", []byte{0, 0, 1}, "112"},
		{"text", []byte("Hello World!"), "2NEpo7TZRRrLZSi2U"},
		{"one byte", []byte{57}, "z"},
		{"58", []byte{58}, "21"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := base58(tc.in); got != tc.want {
				t.Errorf("base58(%x) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestMultikeyOfTheW3CTestKey: the vc-di-eddsa specification's test key
// pair, secretKeyMultibase z3u2en7t… (multicodec 0x8026 and the seed),
// has publicKeyMultibase z6MkrJVn….
func TestMultikeyOfTheW3CTestKey(t *testing.T) {
	secret := decode58(t, "3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if len(secret) != 34 || !bytes.Equal(secret[:2], []byte{0x80, 0x26}) {
		t.Fatalf("secret key multibase decodes to %x", secret)
	}
	pub := ed25519.NewKeyFromSeed(secret[2:]).Public().(ed25519.PublicKey)
	if got, want := Multikey(pub), "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"; got != want {
		t.Errorf("Multikey = %s, want %s", got, want)
	}
}

func TestStatusBitsAreMostSignificantFirst(t *testing.T) {
	bits := make([]byte, 2)
	setBit(bits, 0, true)
	setBit(bits, 9, true)
	if !bytes.Equal(bits, []byte{0x80, 0x40}) || !bit(bits, 0) || bit(bits, 1) || !bit(bits, 9) {
		t.Fatalf("bits = %08b", bits)
	}
	setBit(bits, 0, false)
	if bits[0] != 0 {
		t.Fatalf("clearing left %08b", bits)
	}
}

func TestNthFree(t *testing.T) {
	used := []int{0, 1, 3, 7}
	for n, want := range []int{2, 4, 5, 6, 8, 9} {
		if got := nthFree(used, n); got != want {
			t.Errorf("nthFree(%v, %d) = %d, want %d", used, n, got, want)
		}
	}
}
