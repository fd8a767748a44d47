package store

import (
	"context"
	"fmt"
)

const settingSelect = `SELECT value FROM app_settings WHERE key = ?`

// GetSetting returns an application setting or portal.ErrNotFound.
func (tx *Tx) GetSetting(ctx context.Context, key string) (string, error) {
	return getSetting(ctx, tx, key)
}

// GetSetting returns an application setting or portal.ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	return getSetting(ctx, s, key)
}

// LockSetting returns an application setting, locked until the
// transaction ends on PostgreSQL. A missing setting is first created with
// the value initial, so that there is a row to lock and concurrent
// read-modify-write changes of it queue instead of losing one another.
func (tx *Tx) LockSetting(ctx context.Context, key, initial string) (string, error) {
	if _, err := tx.exec(ctx, `INSERT INTO app_settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, key, initial, tx.now); err != nil {
		return "", fmt.Errorf("store: create setting %s: %w", key, err)
	}
	var v string
	if err := tx.get(ctx, &v, settingSelect+tx.forUpdate(""), key); err != nil {
		return "", fmt.Errorf("store: lock setting %s: %w", key, err)
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

// DeleteSetting removes an application setting; a missing one is no error.
func (tx *Tx) DeleteSetting(ctx context.Context, key string) error {
	if _, err := tx.exec(ctx, `DELETE FROM app_settings WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: delete setting %s: %w", key, err)
	}
	return nil
}

func getSetting(ctx context.Context, r reader, key string) (string, error) {
	var v string
	if err := r.get(ctx, &v, settingSelect, key); err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}
