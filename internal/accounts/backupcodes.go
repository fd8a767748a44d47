package accounts

// Backup codes (SECURITY.md MFA-05): ten single-use codes that stand in for
// the other factors when the phone or authenticator is lost.
//
// A code is 10 characters of Crockford's base32 alphabet from crypto/rand
// (50 bits), shown as xxxxx-xxxxx. Typing is forgiving: case, spaces and
// dashes are ignored and o, i, l read as 0, 1, 1.
//
// Storage. 50 bits is below the 112 bits for which NIST SP 800-63B
// §5.1.2.1 accepts a plain hash, so each code is salted (16 random bytes of
// its own) and hashed with HMAC-SHA256 under a key derived from
// Config.SecretKey — the "secret salt" of §5.1.1.2, kept outside the
// database (configuration, or secret.key in the data directory). A copy of
// the database alone therefore reveals nothing about the codes; whoever
// also holds the secret key still needs about 2^49 HMACs per code. Online,
// the failure limits of VerifySecondFactor bound guessing to a few tries.
//
// A code works once: its use is a compare-and-set on used_at, so two
// concurrent uses succeed exactly once, and a used code answers
// mfa.code_used. Regenerating deletes the whole old set.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// BackupCodeCount is how many backup codes a set holds.
const BackupCodeCount = 10

const (
	backupCodeLen      = 10
	backupCodeAlphabet = "0123456789abcdefghjkmnpqrstvwxyz" // Crockford base32, lower case
	backupHMACPurpose  = "certportal/backup-codes/hmac-sha256"
)

// newBackupCodes returns BackupCodeCount fresh codes for display and their
// salted hashes for storage.
func (s *Service) newBackupCodes() ([]string, []store.BackupCodeHash, error) {
	key, err := s.subkey(backupHMACPurpose)
	if err != nil {
		return nil, nil, err
	}
	codes := make([]string, 0, BackupCodeCount)
	hashes := make([]store.BackupCodeHash, 0, BackupCodeCount)
	seen := map[string]bool{}
	for len(codes) < BackupCodeCount {
		raw := make([]byte, backupCodeLen)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		for i, b := range raw {
			raw[i] = backupCodeAlphabet[b&31] // 256 is a multiple of 32: uniform
		}
		code := string(raw)
		if seen[code] {
			continue
		}
		seen[code] = true
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return nil, nil, err
		}
		codes = append(codes, code[:5]+"-"+code[5:])
		hashes = append(hashes, store.BackupCodeHash{Salt: salt, Hash: backupHash(key, salt, code)})
	}
	return codes, hashes, nil
}

// backupHash is the stored form of a normalised code.
func backupHash(key, salt []byte, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(salt)
	m.Write([]byte(code))
	return m.Sum(nil)
}

// normalizeBackupCode turns what a user typed into the stored alphabet,
// or reports that it cannot be a backup code.
func normalizeBackupCode(in string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(in) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(backupCodeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
		if b.Len() > backupCodeLen {
			return "", false
		}
	}
	if b.Len() != backupCodeLen {
		return "", false
	}
	return b.String(), true
}

// consumeBackupCode checks a backup code and marks it used. It returns
// ErrMFAInvalidCode or ErrMFACodeUsed for a code that does not work.
func (s *Service) consumeBackupCode(ctx context.Context, tx *store.Tx, userID int64, code string) error {
	norm, ok := normalizeBackupCode(code)
	if !ok {
		return ErrMFAInvalidCode
	}
	key, err := s.subkey(backupHMACPurpose)
	if err != nil {
		return err
	}
	codes, err := tx.ListBackupCodes(ctx, userID)
	if err != nil {
		return err
	}
	var match *portal.BackupCode
	for _, c := range codes { // every stored code is compared: the time does not depend on which matched
		if hmac.Equal(backupHash(key, c.Salt, norm), c.CodeHash) {
			match = c
		}
	}
	if match == nil {
		return ErrMFAInvalidCode
	}
	if match.UsedAt != nil {
		return ErrMFACodeUsed
	}
	if err := tx.UseBackupCode(ctx, match.ID); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return ErrMFACodeUsed // a concurrent use won
		}
		return err
	}
	return nil
}

// RegenerateBackupCodes replaces the actor's backup codes with a new set
// and returns it; this is the only time the codes are shown. Every old
// code stops working, every other session of the account is signed out,
// and the owner is notified. The account must have MFA on
// (ErrMFANotEnabled). The web asks for a recent sign-in first (MFA-06).
func (s *Service) RegenerateBackupCodes(ctx context.Context, actor portal.Actor, sessionID int64) ([]string, error) {
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return nil, err
	}
	codes, hashes, err := s.newBackupCodes()
	if err != nil {
		return nil, err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		if !mfaOn(m) {
			return ErrMFANotEnabled
		}
		if err := tx.ReplaceBackupCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		return s.mfaChanged(ctx, tx, actor, u, sessionID, "mfa.backup_codes_regenerated", "", "security_backup_codes", nil)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// BackupCodesLeft counts the actor's unused backup codes.
func (s *Service) BackupCodesLeft(ctx context.Context, actor portal.Actor) (int, error) {
	if actor.UserID == 0 {
		return 0, portal.ErrUnauthorized
	}
	return s.st.CountBackupCodes(ctx, actor.UserID)
}

// firstFactorCodes stores the first set of backup codes when the factor
// being enabled is the account's first one, and reports whether it was.
func firstFactorCodes(ctx context.Context, tx *store.Tx, userID int64, m *portal.MFAState, hashes []store.BackupCodeHash) (bool, error) {
	if mfaOn(m) {
		return false, nil
	}
	return true, tx.ReplaceBackupCodes(ctx, userID, hashes)
}
