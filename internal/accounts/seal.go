package accounts

// Sealing: encryption at rest for secrets the server must read back, such
// as TOTP seeds (SECURITY.md MFA-01).
//
// A sealed value is
//
//	version (1 byte) ‖ nonce (12 bytes, crypto/rand) ‖ AES-256-GCM ciphertext and tag
//
// The version names the key that sealed it. The current key seals; every
// key of the keyring, current and previous, opens. To rotate, give the new
// key a higher version and make it current while the old one stays in the
// ring for opening; values are resealed under the new key as they are next
// written. Today the ring holds one key, version 1: Config.SecretKey.
//
// The AES key is not the configured secret itself but derived from it with
// HKDF-SHA256 for this one purpose, so the same secret can key other uses
// (the HMACs of backup and SMS codes) without the keys ever coinciding.
// Additional data binds each sealed value to its purpose and owner: a TOTP
// seed copied to another account's row does not open there.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// sealKeyVersion is the version of Config.SecretKey in the keyring.
const sealKeyVersion = 1

// errUnseal is any failure to open a sealed value: unknown key version,
// truncated data, or authentication failure.
var errUnseal = errors.New("accounts: sealed value does not open")

// keyring seals with its current key and opens with any of its keys.
type keyring struct {
	current byte
	aeads   map[byte]cipher.AEAD
}

// newKeyring builds a keyring from 32-byte secrets by version; current
// must be one of them.
func newKeyring(current byte, secrets map[byte][]byte) (*keyring, error) {
	k := &keyring{current: current, aeads: make(map[byte]cipher.AEAD, len(secrets))}
	for v, secret := range secrets {
		if len(secret) != 32 {
			return nil, fmt.Errorf("accounts: secret key version %d is %d bytes, want 32", v, len(secret))
		}
		key, err := deriveKey(secret, "certportal/seal/aes-256-gcm")
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
		return nil, fmt.Errorf("accounts: no secret key of version %d", current)
	}
	return k, nil
}

// seal encrypts plaintext under the current key, bound to aad.
func (k *keyring) seal(plaintext, aad []byte) ([]byte, error) {
	aead := k.aeads[k.current]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = k.current
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[1:], plaintext, aad), nil
}

// open decrypts a sealed value with the key its version names.
func (k *keyring) open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1 {
		return nil, errUnseal
	}
	aead := k.aeads[sealed[0]]
	if aead == nil || len(sealed) < 1+aead.NonceSize()+aead.Overhead() {
		return nil, errUnseal
	}
	nonce, ct := sealed[1:1+aead.NonceSize()], sealed[1+aead.NonceSize():]
	pt, err := aead.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, errUnseal
	}
	return pt, nil
}

// keyring returns the service's keyring.
func (s *Service) keyring() (*keyring, error) {
	return newKeyring(sealKeyVersion, map[byte][]byte{sealKeyVersion: s.cfg.SecretKey})
}

// subkey derives a 32-byte key for one purpose from Config.SecretKey.
func (s *Service) subkey(purpose string) ([]byte, error) {
	if len(s.cfg.SecretKey) != 32 {
		return nil, fmt.Errorf("accounts: secret key is %d bytes, want 32", len(s.cfg.SecretKey))
	}
	return deriveKey(s.cfg.SecretKey, purpose)
}

func deriveKey(secret []byte, purpose string) ([]byte, error) {
	return hkdf.Key(sha256.New, secret, nil, purpose, 32)
}

// sealAAD is the additional data binding a sealed value to its purpose
// and owner.
func sealAAD(purpose string, userID int64) []byte {
	return fmt.Appendf(nil, "certportal/%s/user:%d", purpose, userID)
}
