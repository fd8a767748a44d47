package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"example.org/certportal/internal/config"
)

// secretKeyFile is where a SQLite installation keeps its generated key.
const secretKeyFile = "secret.key"

// loadSecretKey returns the 32-byte key that encrypts secrets at rest. A
// configured key wins. On SQLite a missing key is generated once into the
// data directory (mode 0600, back it up with the database); on PostgreSQL
// every instance must be given the same key, so it is required.
func loadSecretKey(cfg *config.Config) ([]byte, error) {
	if cfg.SecretKey != "" {
		return decodeKey(cfg.SecretKey)
	}
	if cfg.Engine() == config.EnginePostgres {
		return nil, errors.New("config: --secret-key ($CERTPORTAL_SECRET_KEY): required with PostgreSQL so that every instance encrypts with the same key; generate one with: head -c 32 /dev/urandom | base64")
	}
	path := filepath.Join(cfg.DataDir, secretKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(string(b))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("config: secret key %s: %w", path, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("config: data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("config: create secret key %s: %w", path, err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != 32 {
		return nil, errors.New("config: --secret-key ($CERTPORTAL_SECRET_KEY): must be 32 random bytes in base64, e.g. from: head -c 32 /dev/urandom | base64")
	}
	return key, nil
}
