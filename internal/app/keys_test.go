package app

import (
	"strings"
	"testing"

	"example.org/certportal/internal/config"
)

func TestPostgresNeedsAnExplicitSecretKey(t *testing.T) {
	_, err := loadSecretKey(&config.Config{DataDir: t.TempDir(), DatabaseURL: "postgres://u@127.0.0.1/db"})
	if err == nil || !strings.Contains(err.Error(), "required with PostgreSQL") {
		t.Fatalf("err = %v", err)
	}
	key, err := loadSecretKey(&config.Config{DataDir: t.TempDir(), DatabaseURL: "postgres://u@127.0.0.1/db", SecretKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})
	if err != nil || len(key) != 32 || key[31] != 31 {
		t.Fatalf("explicit key: %v %v", key, err)
	}
}
