package sealing

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
)

// aadFor binds a test value to a purpose and an owner, as callers do.
func aadFor(purpose string, owner int64) []byte {
	return fmt.Appendf(nil, "certportal/%s/user:%d", purpose, owner)
}

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
	kr, err := New(1, map[byte][]byte{1: k1})
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("twenty byte secret!!")
	aad := aadFor("totp", 42)
	a, err := kr.Seal(secret, aad)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := kr.Seal(secret, aad)
	if bytes.Equal(a, b) {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
	if a[0] != 1 || len(a) != 1+12+len(secret)+16 || bytes.Contains(a, secret) {
		t.Fatalf("sealed form %x", a)
	}
	if got, err := kr.Open(a, aad); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open = %q, %v", got, err)
	}

	for name, tc := range map[string]struct {
		sealed, aad []byte
	}{
		"other user":  {a, aadFor("totp", 43)},
		"other use":   {a, aadFor("other", 42)},
		"tampered":    {append(append([]byte{}, a[:len(a)-1]...), a[len(a)-1]^1), aad},
		"truncated":   {a[:20], aad},
		"empty":       {nil, aad},
		"unknown key": {append([]byte{7}, a[1:]...), aad},
	} {
		if _, err := kr.Open(tc.sealed, tc.aad); !errors.Is(err, ErrUnseal) {
			t.Errorf("%s: err = %v, want ErrUnseal", name, err)
		}
	}

	// Rotation: version 2 becomes current; version 1 still opens.
	rotated, err := New(2, map[byte][]byte{1: k1, 2: k2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(a, aad); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("old value under the rotated ring: %q, %v", got, err)
	}
	c, err := rotated.Seal(secret, aad)
	if err != nil || c[0] != 2 {
		t.Fatalf("rotated seal version %d, %v", c[0], err)
	}
	if _, err := kr.Open(c, aad); !errors.Is(err, ErrUnseal) {
		t.Error("the old ring opened a value of an unknown key")
	}

	// The AES key is derived, not the secret itself.
	if _, err := New(1, map[byte][]byte{1: k1[:16]}); err == nil {
		t.Error("a 16-byte secret was accepted")
	}
	if _, err := New(3, map[byte][]byte{1: k1}); err == nil {
		t.Error("a current version without a key was accepted")
	}
}
