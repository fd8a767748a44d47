package store

import (
	"context"
	"fmt"
)

// GetSetting returns an application setting or portal.ErrNotFound.
func (tx *Tx) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := tx.get(ctx, &v, `SELECT value FROM app_settings WHERE key = ?`, key); err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting inserts or replaces an application setting.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO app_settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, tx.now)
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", key, err)
	}
	return nil
}
