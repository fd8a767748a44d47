// Package sealing encrypts at rest the secrets the server must read back
// (authenticator seeds today; signing keys and integration secrets later),
// and derives purpose-bound keys from the configured secret key
// (SECURITY.md MFA-01).
//
// A sealed value is
//
//	version (1 byte) ‖ nonce (12 bytes, crypto/rand) ‖ AES-256-GCM ciphertext and tag
//
// The version names the key that sealed it. The current key seals; every
// key of the keyring, current and previous, opens. To rotate, give the new
// key a higher version and make it current while the old one stays in the
// ring for opening; values are resealed under the new key as they are next
// written.
//
// The AES key is not the configured secret itself but derived from it with
// HKDF-SHA256 for this one purpose, so the same secret can key other uses
// (the HMACs of backup and SMS codes) without the keys ever coinciding.
// Callers bind each sealed value to its purpose and owner with additional
// data, so a value copied to another row does not open there.
package sealing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrUnseal is any failure to open a sealed value: unknown key version,
// truncated data, or authentication failure.
var ErrUnseal = errors.New("sealing: sealed value does not open")

// Keyring seals with its current key and opens with any of its keys.
type Keyring struct {
	current byte
	aeads   map[byte]cipher.AEAD
}

// New builds a keyring from 32-byte secrets by version; current must be
// one of them.
func New(current byte, secrets map[byte][]byte) (*Keyring, error) {
	k := &Keyring{current: current, aeads: make(map[byte]cipher.AEAD, len(secrets))}
	for v, secret := range secrets {
		if len(secret) != 32 {
			return nil, fmt.Errorf("sealing: secret key version %d is %d bytes, want 32", v, len(secret))
		}
		key, err := DeriveKey(secret, "certportal/seal/aes-256-gcm")
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if k.aeads[v], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	if k.aeads[current] == nil {
		return nil, fmt.Errorf("sealing: no secret key of version %d", current)
	}
	return k, nil
}

// Seal encrypts plaintext under the current key, bound to aad.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	aead := k.aeads[k.current]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = k.current
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[1:], plaintext, aad), nil
}

// Open decrypts a sealed value with the key its version names.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1 {
		return nil, ErrUnseal
	}
	aead := k.aeads[sealed[0]]
	if aead == nil || len(sealed) < 1+aead.NonceSize()+aead.Overhead() {
		return nil, ErrUnseal
	}
	nonce, ct := sealed[1:1+aead.NonceSize()], sealed[1+aead.NonceSize():]
	pt, err := aead.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, ErrUnseal
	}
	return pt, nil
}

// DeriveKey derives a 32-byte key for one purpose from a secret.
func DeriveKey(secret []byte, purpose string) ([]byte, error) {
	if len(secret) != 32 {
		return nil, fmt.Errorf("sealing: secret key is %d bytes, want 32", len(secret))
	}
	return hkdf.Key(sha256.New, secret, nil, purpose, 32)
}
