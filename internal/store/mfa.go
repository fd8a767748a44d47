package store

// Second factors: the user_mfa row of an account (TOTP, SMS, failure
// count), its backup codes and the codes sent by SMS. Secrets arrive here
// already sealed or hashed by the accounts service; this file runs SQL only.
//
// Every "use" below is a compare-and-set (a conditional UPDATE that must
// change exactly one row), so two concurrent uses of the same code or time
// step succeed exactly once on both engines.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.org/certportal/internal/portal"
)

const userMFAColumns = `user_id, totp_secret, totp_enabled_at, totp_pending, totp_pending_expires_at, totp_last_step,
	phone, phone_verified_at, sms_enabled_at, failed_attempts, locked_until, updated_at`

// GetUserMFA returns the account's second-factor state, or
// portal.ErrNotFound when it never enrolled.
func (s *Store) GetUserMFA(ctx context.Context, userID int64) (*portal.MFAState, error) {
	return findUserMFA(ctx, s, userID)
}

// GetUserMFA inside a transaction.
func (tx *Tx) GetUserMFA(ctx context.Context, userID int64) (*portal.MFAState, error) {
	return findUserMFA(ctx, tx, userID)
}

// LockUserMFA returns the account's row, creating an empty one first, and
// holds its row lock until the transaction ends: changes to one account's
// factors (enrolment, sending codes) run one at a time.
func (tx *Tx) LockUserMFA(ctx context.Context, userID int64) (*portal.MFAState, error) {
	var m portal.MFAState
	err := tx.get(ctx, &m, `INSERT INTO user_mfa (user_id, updated_at) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at
		RETURNING `+userMFAColumns, userID, tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: lock mfa of user %d: %w", userID, err)
	}
	return &m, nil
}

// SetTOTPPending stores a sealed secret waiting for its first valid code,
// replacing any earlier one.
func (tx *Tx) SetTOTPPending(ctx context.Context, userID int64, sealed []byte, expiresAt time.Time) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET totp_pending = ?, totp_pending_expires_at = ?, updated_at = ?
		WHERE user_id = ?`, sealed, expiresAt, tx.now, userID))
}

// EnableTOTP makes the pending secret the active one. It returns
// portal.ErrNotFound when there is no unexpired pending secret.
func (tx *Tx) EnableTOTP(ctx context.Context, userID int64) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET totp_secret = totp_pending, totp_enabled_at = ?,
		totp_pending = NULL, totp_pending_expires_at = NULL, updated_at = ?
		WHERE user_id = ? AND totp_pending IS NOT NULL AND totp_pending_expires_at > ?`, tx.now, tx.now, userID, tx.now))
}

// DisableTOTP forgets the active and any pending secret, and with them the
// last accepted step: it guarded codes of a secret that no longer exists,
// and a new secret starts afresh.
func (tx *Tx) DisableTOTP(ctx context.Context, userID int64) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET totp_secret = NULL, totp_enabled_at = NULL,
		totp_pending = NULL, totp_pending_expires_at = NULL, totp_last_step = 0, updated_at = ? WHERE user_id = ?`, tx.now, userID))
}

// UseTOTPStep records step as the last accepted time step if it is later
// than the one recorded. It returns portal.ErrNotFound when it is not:
// that step (or a later one) was accepted before, so the code is a replay.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID, step int64) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET totp_last_step = ? WHERE user_id = ? AND totp_last_step < ?`,
		step, userID, step))
}

// EnableSMS records a verified phone number and turns SMS codes on.
func (tx *Tx) EnableSMS(ctx context.Context, userID int64, phone string) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET phone = ?, phone_verified_at = ?, sms_enabled_at = ?, updated_at = ?
		WHERE user_id = ?`, phone, tx.now, tx.now, tx.now, userID))
}

// DisableSMS turns SMS codes off and forgets the number.
func (tx *Tx) DisableSMS(ctx context.Context, userID int64) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET phone = '', phone_verified_at = NULL, sms_enabled_at = NULL, updated_at = ?
		WHERE user_id = ?`, tx.now, userID))
}

// RecordMFAFailure counts one wrong code and returns the consecutive
// count. It returns portal.ErrNotFound when the account has no MFA row.
func (tx *Tx) RecordMFAFailure(ctx context.Context, userID int64) (int, error) {
	var n int
	err := tx.get(ctx, &n, `UPDATE user_mfa SET failed_attempts = failed_attempts + 1, updated_at = ?
		WHERE user_id = ? RETURNING failed_attempts`, tx.now, userID)
	if err != nil {
		return 0, fmt.Errorf("store: record mfa failure: %w", err)
	}
	return n, nil
}

// LockMFA refuses every code of the account until until.
func (tx *Tx) LockMFA(ctx context.Context, userID int64, until time.Time) error {
	return affected(tx.exec(ctx, `UPDATE user_mfa SET locked_until = ?, updated_at = ? WHERE user_id = ?`, until, tx.now, userID))
}

// ResetMFAFailures clears the failure count and any lock after a correct
// code.
func (tx *Tx) ResetMFAFailures(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE user_mfa SET failed_attempts = 0, locked_until = NULL, updated_at = ?
		WHERE user_id = ? AND (failed_attempts <> 0 OR locked_until IS NOT NULL)`, tx.now, userID)
	return err
}

// BackupCodeHash is a new code's salt and hash.
type BackupCodeHash struct {
	Salt []byte
	Hash []byte
}

// ReplaceBackupCodes deletes every backup code of the account, used or
// not, and stores the new set.
func (tx *Tx) ReplaceBackupCodes(ctx context.Context, userID int64, codes []BackupCodeHash) error {
	if err := tx.DeleteBackupCodes(ctx, userID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.exec(ctx, `INSERT INTO backup_codes (user_id, salt, code_hash, created_at) VALUES (?, ?, ?, ?)`,
			userID, c.Salt, c.Hash, tx.now); err != nil {
			return fmt.Errorf("store: insert backup code: %w", err)
		}
	}
	return nil
}

// DeleteBackupCodes deletes every backup code of the account.
func (tx *Tx) DeleteBackupCodes(ctx context.Context, userID int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM backup_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: delete backup codes: %w", err)
	}
	return nil
}

// ListBackupCodes returns the account's backup codes, used ones included.
func (tx *Tx) ListBackupCodes(ctx context.Context, userID int64) ([]*portal.BackupCode, error) {
	var out []*portal.BackupCode
	err := tx.sel(ctx, &out, `SELECT id, user_id, salt, code_hash, used_at, created_at FROM backup_codes
		WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list backup codes: %w", err)
	}
	return out, nil
}

// UseBackupCode marks an unused code used. It returns portal.ErrNotFound
// when the code was used already (or no longer exists), so concurrent uses
// succeed exactly once.
func (tx *Tx) UseBackupCode(ctx context.Context, id int64) error {
	return affected(tx.exec(ctx, `UPDATE backup_codes SET used_at = ? WHERE id = ? AND used_at IS NULL`, tx.now, id))
}

// CountBackupCodes counts the account's unused backup codes.
func (s *Store) CountBackupCodes(ctx context.Context, userID int64) (int, error) {
	return countBackupCodes(ctx, s, userID)
}

// CountBackupCodes inside a transaction.
func (tx *Tx) CountBackupCodes(ctx context.Context, userID int64) (int, error) {
	return countBackupCodes(ctx, tx, userID)
}

// SMS code purposes.
const (
	SMSVerifyPhone = "verify_phone" // proves a new number
	SMSSignIn      = "signin"       // second factor of one sign-in flow
	SMSConfirm     = "confirm"      // confirms a change from a signed-in session
)

const smsCodeColumns = `id, user_id, purpose, session_id, phone, code_hash, expires_at, used_at, attempts, created_at`

// SMSCodeCreate is a code about to be sent.
type SMSCodeCreate struct {
	UserID    int64
	Purpose   string
	SessionID int64
	Phone     string
	CodeHash  []byte
	TTL       time.Duration
}

// CreateSMSCode stores a new code. Earlier unused codes of the same
// account, purpose and session stop working: only the newest is valid.
func (tx *Tx) CreateSMSCode(ctx context.Context, c SMSCodeCreate) (*portal.SMSCode, error) {
	if _, err := tx.exec(ctx, `UPDATE sms_codes SET used_at = ?
		WHERE user_id = ? AND purpose = ? AND session_id = ? AND used_at IS NULL`, tx.now, c.UserID, c.Purpose, c.SessionID); err != nil {
		return nil, fmt.Errorf("store: invalidate sms codes: %w", err)
	}
	var out portal.SMSCode
	err := tx.get(ctx, &out, `INSERT INTO sms_codes (user_id, purpose, session_id, phone, code_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+smsCodeColumns,
		c.UserID, c.Purpose, c.SessionID, c.Phone, c.CodeHash, tx.now.Add(c.TTL), tx.now)
	if err != nil {
		return nil, fmt.Errorf("store: create sms code: %w", err)
	}
	return &out, nil
}

// FindSMSCodeBySession returns the newest unused code of the account for purpose
// and session, expired or not, or portal.ErrNotFound.
func (tx *Tx) FindSMSCodeBySession(ctx context.Context, userID int64, purpose string, sessionID int64) (*portal.SMSCode, error) {
	var c portal.SMSCode
	err := tx.get(ctx, &c, `SELECT `+smsCodeColumns+` FROM sms_codes
		WHERE user_id = ? AND purpose = ? AND session_id = ? AND used_at IS NULL
		ORDER BY id DESC LIMIT 1`, userID, purpose, sessionID)
	if err != nil {
		return nil, fmt.Errorf("store: find sms code: %w", err)
	}
	return &c, nil
}

// UseSMSCode marks a code used if it is unused, unexpired and has had
// fewer than maxAttempts wrong tries. It returns portal.ErrNotFound
// otherwise, so concurrent uses succeed exactly once.
func (tx *Tx) UseSMSCode(ctx context.Context, id int64, maxAttempts int) error {
	return affected(tx.exec(ctx, `UPDATE sms_codes SET used_at = ?
		WHERE id = ? AND used_at IS NULL AND expires_at > ? AND attempts < ?`, tx.now, id, tx.now, maxAttempts))
}

// FailSMSCode counts one wrong try against a code and returns the count.
func (tx *Tx) FailSMSCode(ctx context.Context, id int64) (int, error) {
	var n int
	if err := tx.get(ctx, &n, `UPDATE sms_codes SET attempts = attempts + 1 WHERE id = ? RETURNING attempts`, id); err != nil {
		return 0, fmt.Errorf("store: fail sms code: %w", err)
	}
	return n, nil
}

// SMSSent is how many codes went to an account or a number since a time,
// and when the oldest of them was sent (zero when none).
type SMSSent struct {
	Count  int
	Oldest *time.Time
}

// CountSMSSentToUser counts the codes sent for an account since since.
func (tx *Tx) CountSMSSentToUser(ctx context.Context, userID int64, since time.Time) (*SMSSent, error) {
	return tx.countSMS(ctx, `user_id = ?`, userID, since)
}

// CountSMSSentToPhone counts the codes sent to a number, for any account,
// since since.
func (tx *Tx) CountSMSSentToPhone(ctx context.Context, phone string, since time.Time) (*SMSSent, error) {
	return tx.countSMS(ctx, `phone = ?`, phone, since)
}

func (tx *Tx) countSMS(ctx context.Context, where string, key any, since time.Time) (*SMSSent, error) {
	var out SMSSent
	if err := tx.get(ctx, &out.Count, `SELECT COUNT(*) FROM sms_codes WHERE `+where+` AND created_at > ?`, key, since); err != nil {
		return nil, fmt.Errorf("store: count sms codes: %w", err)
	}
	// A plain column rather than MIN(): SQLite types an aggregate as text.
	var oldest time.Time
	err := tx.get(ctx, &oldest, `SELECT created_at FROM sms_codes WHERE `+where+` AND created_at > ?
		ORDER BY created_at LIMIT 1`, key, since)
	switch {
	case err == nil:
		out.Oldest = &oldest
	case !errors.Is(err, portal.ErrNotFound):
		return nil, fmt.Errorf("store: oldest sms code: %w", err)
	}
	return &out, nil
}

// DeleteSMSCodesBefore removes codes created before cutoff.
func (tx *Tx) DeleteSMSCodesBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	r, err := tx.exec(ctx, `DELETE FROM sms_codes WHERE created_at < ?`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("store: delete sms codes: %w", err)
	}
	return r.RowsAffected()
}

// GetPendingSession returns the session with this ID if it waits for a
// second factor and is neither idle longer than idle nor past its
// lifetime, or portal.ErrNotFound.
func (tx *Tx) GetPendingSession(ctx context.Context, id int64, idle time.Duration) (*portal.SessionRecord, error) {
	var sess portal.SessionRecord
	err := tx.get(ctx, &sess, `SELECT `+sessionColumns+` FROM sessions
		WHERE id = ? AND state = ? AND expires_at > ? AND last_seen_at > ?`,
		id, portal.SessionMFAPending, tx.now, tx.now.Add(-idle))
	if err != nil {
		return nil, fmt.Errorf("store: find pending session: %w", err)
	}
	return &sess, nil
}

func countBackupCodes(ctx context.Context, r reader, userID int64) (int, error) {
	var n int
	if err := r.get(ctx, &n, `SELECT COUNT(*) FROM backup_codes WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
		return 0, fmt.Errorf("store: count backup codes: %w", err)
	}
	return n, nil
}

func findUserMFA(ctx context.Context, r reader, userID int64) (*portal.MFAState, error) {
	var m portal.MFAState
	if err := r.get(ctx, &m, `SELECT `+userMFAColumns+` FROM user_mfa WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("store: find mfa of user %d: %w", userID, err)
	}
	return &m, nil
}
