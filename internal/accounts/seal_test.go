package accounts

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func mustKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpens(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	kr, err := newKeyring(1, map[byte][]byte{1: k1})
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("twenty byte secret!!")
	aad := sealAAD("totp", 42)
	a, err := kr.seal(secret, aad)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := kr.seal(secret, aad)
	if bytes.Equal(a, b) {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	if a[0] != 1 || len(a) != 1+12+len(secret)+16 || bytes.Contains(a, secret) {
		t.Fatalf("sealed form %x", a)
	}
	if got, err := kr.open(a, aad); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open = %q, %v", got, err)
	}

	for name, tc := range map[string]struct {
		sealed, aad []byte
	}{
		"other user":  {a, sealAAD("totp", 43)},
		"other use":   {a, sealAAD("other", 42)},
		"tampered":    {append(append([]byte{}, a[:len(a)-1]...), a[len(a)-1]^1), aad},
		"truncated":   {a[:20], aad},
		"empty":       {nil, aad},
		"unknown key": {append([]byte{7}, a[1:]...), aad},
	} {
		if _, err := kr.open(tc.sealed, tc.aad); !errors.Is(err, errUnseal) {
			t.Errorf("%s: err = %v, want errUnseal", name, err)
		}
	}

	// Rotation: version 2 becomes current; version 1 still opens.
	rotated, err := newKeyring(2, map[byte][]byte{1: k1, 2: k2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.open(a, aad); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("old value under the rotated ring: %q, %v", got, err)
	}
	c, err := rotated.seal(secret, aad)
	if err != nil || c[0] != 2 {
		t.Fatalf("rotated seal version %d, %v", c[0], err)
	}
	if _, err := kr.open(c, aad); !errors.Is(err, errUnseal) {
		t.Error("the old ring opened a value of an unknown key")
	}

	// The AES key is derived, not the secret itself.
	if _, err := newKeyring(1, map[byte][]byte{1: k1[:16]}); err == nil {
		t.Error("a 16-byte secret was accepted")
	}
	if _, err := newKeyring(3, map[byte][]byte{1: k1}); err == nil {
		t.Error("a current version without a key was accepted")
	}
}

func TestNormalizeBackupCode(t *testing.T) {
	for in, want := range map[string]string{
		"abcde-fgh23":      "abcdefgh23",
		" ABCDE FGH23 ":    "abcdefgh23",
		"o1l2i-abcde":      "01121abcde",
		"abcdefgh23":       "abcdefgh23",
		"abcde-fgh2":       "",
		"abcde-fgh234":     "",
		"abcde-fgh2u":      "", // u is not in the alphabet
		"abcde-fgh2é":      "",
		"":                 "",
		"abcde-fgh23-abcd": "",
	} {
		got, ok := normalizeBackupCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalizeBackupCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestMFALockDuration(t *testing.T) {
	for n, want := range map[int]string{1: "15m0s", 2: "30m0s", 3: "1h0m0s", 7: "16h0m0s", 8: "24h0m0s", 20: "24h0m0s"} {
		if got := mfaLockDuration(n).String(); got != want {
			t.Errorf("mfaLockDuration(%d) = %s, want %s", n, got, want)
		}
	}
}
