package accounts

import (
	"fmt"

	"example.org/certportal/internal/sealing"
)

// sealKeyVersion is the version of Config.SecretKey in the keyring. Today
// the ring holds one key, version 1.
const sealKeyVersion = 1

// keyring returns the service's keyring.
func (s *Service) keyring() (*sealing.Keyring, error) {
	return sealing.New(sealKeyVersion, map[byte][]byte{sealKeyVersion: s.cfg.SecretKey})
}

// subkey derives a 32-byte key for one purpose from Config.SecretKey.
func (s *Service) subkey(purpose string) ([]byte, error) {
	return sealing.DeriveKey(s.cfg.SecretKey, purpose)
}

// sealAAD is the additional data binding a sealed value to its purpose
// and owner: a TOTP seed copied to another account's row does not open
// there.
func sealAAD(purpose string, userID int64) []byte {
	return fmt.Appendf(nil, "certportal/%s/user:%d", purpose, userID)
}
