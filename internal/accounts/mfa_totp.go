package accounts

// TOTP (RFC 6238; SECURITY.md MFA-01, MFA-02): 30-second steps, 6 digits,
// HMAC-SHA1 — what every authenticator app understands — with a 160-bit
// secret from crypto/rand.
//
// Enrolment is two steps. BeginTOTP makes a secret, stores it sealed as
// pending for TOTPEnrolmentTTL and returns it for the QR code and manual
// entry; beginning again replaces it. ConfirmTOTP activates it only after a
// valid code for it. After that the secret is never returned again: only
// its sealed form stays in user_mfa.totp_secret.
//
// A code is accepted for the current step or one step either side, by the
// server's clock only, and each step once: accepting a code raises
// totp_last_step by compare-and-set, which fails for the same or an earlier
// step (replay), including under concurrent use.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

const (
	totpPeriod     = 30 // seconds
	totpSecretSize = 20 // bytes: 160 bits
	totpSkew       = 1  // steps either side
	totpQRSize     = 256
	totpSealUse    = "totp"
)

var totpBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPEnrolment is what the enrolment page shows, once.
type TOTPEnrolment struct {
	// Secret is the key in base32 (upper case, no padding) for manual
	// entry; see ManualKey.
	Secret string
	// URL is the otpauth:// URL the QR code encodes.
	URL string
	// QRCode is the URL as a PNG image (totpQRSize pixels square).
	QRCode []byte
	// ExpiresAt is when the enrolment lapses without a code.
	ExpiresAt time.Time
}

// ManualKey is Secret in groups of four for typing.
func (e *TOTPEnrolment) ManualKey() string {
	var b strings.Builder
	for i, r := range e.Secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// QRDataURL is the QR code as a data: URL for an <img src>. html/template
// only keeps it when given as template.URL.
func (e *TOTPEnrolment) QRDataURL() string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCode)
}

// BeginTOTP starts (or restarts) the actor's TOTP enrolment with a new
// secret. When SMS is on already, adding TOTP is a change that needs proof
// (an SMS code from SendConfirmCode, or a backup code); otherwise proof is
// ignored.
//
// Errors: ErrMFATOTPEnabled (disable TOTP first to enrol a new device),
// ErrMFAProofRequired and the wrong-code errors, ErrMFALocked.
func (s *Service) BeginTOTP(ctx context.Context, actor portal.Actor, sessionID int64, proof Proof) (*TOTPEnrolment, error) {
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return nil, err
	}
	kr, err := s.keyring()
	if err != nil {
		return nil, err
	}
	secret := make([]byte, totpSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	var out *TOTPEnrolment
	err = s.mfaTransact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		if m.TOTPEnabledAt != nil {
			return ErrMFATOTPEnabled
		}
		if mfaOn(m) {
			if err := s.proveFactor(ctx, tx, actor, u, m, sessionID, proof); err != nil {
				return err
			}
		}
		sealed, err := kr.Seal(secret, sealAAD(totpSealUse, u.ID))
		if err != nil {
			return err
		}
		expires := tx.Now().Add(TOTPEnrolmentTTL)
		if err := tx.SetTOTPPending(ctx, u.ID, sealed, expires); err != nil {
			return err
		}
		if out, err = s.totpEnrolment(u, secret, expires); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "mfa.totp_enrolment_started", userSubject(u.ID), "")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// totpEnrolment builds the key, URL and QR code of a secret.
func (s *Service) totpEnrolment(u *portal.User, secret []byte, expires time.Time) (*TOTPEnrolment, error) {
	issuer := strings.TrimSpace(s.cfg.ProgramName)
	if issuer == "" {
		issuer = "certportal"
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: u.Email, Period: totpPeriod, Secret: secret,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: totp key: %w", err)
	}
	img, err := key.Image(totpQRSize, totpQRSize)
	if err != nil {
		return nil, fmt.Errorf("accounts: totp QR code: %w", err)
	}
	// The QR encoder yields a 16-bit image; an 8-bit grey copy is a
	// smaller PNG that every consumer reads.
	gray := image.NewGray(img.Bounds())
	draw.Draw(gray, gray.Bounds(), img, img.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, gray); err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), QRCode: buf.Bytes(), ExpiresAt: expires}, nil
}

// ConfirmTOTP turns TOTP on once code is valid for the pending secret (the
// code's time step counts as used). When it is the account's first factor
// it also returns the first BackupCodeCount backup codes, shown this once;
// when SMS was on already the existing backup codes stay and the result is
// nil. Every other session is signed out, the owner notified.
//
// Errors: ErrMFATOTPEnabled, ErrMFAEnrolmentExpired, ErrMFAInvalidCode
// (the enrolment stays open: try again).
func (s *Service) ConfirmTOTP(ctx context.Context, actor portal.Actor, sessionID int64, code string) ([]string, error) {
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return nil, err
	}
	if mfaBlank(code) {
		return nil, mfaErrCodeRequired
	}
	codes, hashes, err := s.newBackupCodes()
	if err != nil {
		return nil, err
	}
	first := false
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		if m.TOTPEnabledAt != nil {
			return ErrMFATOTPEnabled
		}
		if m.TOTPPending == nil || m.TOTPPendingExpiresAt == nil || !tx.Now().Before(*m.TOTPPendingExpiresAt) {
			return ErrMFAEnrolmentExpired
		}
		if err := s.consumeTOTP(ctx, tx, u.ID, m.TOTPPending, code); err != nil {
			return err
		}
		if err := tx.EnableTOTP(ctx, u.ID); err != nil {
			return err
		}
		if first, err = firstFactorCodes(ctx, tx, u.ID, m, hashes); err != nil {
			return err
		}
		return s.mfaChanged(ctx, tx, actor, u, sessionID, "mfa.totp_enabled", "", "security_mfa_enabled", map[string]any{"Method": MethodTOTP})
	})
	if err != nil {
		return nil, err
	}
	if !first {
		codes = nil // backup codes come with the first factor only
	}
	return codes, nil
}

// DisableTOTP turns TOTP off. It needs proof: a current code of one of the
// account's factors. When no factor remains the backup codes are deleted
// too. Every other session is signed out, the owner notified.
//
// Errors: ErrMFANotEnabled, ErrMFAProofRequired, ErrMFAMethodUnavailable,
// ErrMFAInvalidCode and the other wrong-code errors, ErrMFALocked.
func (s *Service) DisableTOTP(ctx context.Context, actor portal.Actor, sessionID int64, proof Proof) error {
	return s.disableFactor(ctx, actor, sessionID, proof, MethodTOTP)
}

// disableFactor turns one factor off after proof of a factor; without a
// remaining factor the backup codes go too. Every other session is signed
// out and the owner notified.
func (s *Service) disableFactor(ctx context.Context, actor portal.Actor, sessionID int64, proof Proof, method string) error {
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return err
	}
	return s.mfaTransact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		on, other := m.TOTPEnabledAt != nil, m.SMSEnabledAt != nil
		disable, action, detail := tx.DisableTOTP, "mfa.totp_disabled", ""
		if method == MethodSMS {
			on, other = other, on
			disable, action, detail = tx.DisableSMS, "mfa.sms_disabled", MaskPhone(m.Phone)
		}
		if !on {
			return ErrMFANotEnabled
		}
		if err := s.proveFactor(ctx, tx, actor, u, m, sessionID, proof); err != nil {
			return err
		}
		if err := disable(ctx, u.ID); err != nil {
			return err
		}
		if !other {
			if err := tx.DeleteBackupCodes(ctx, u.ID); err != nil {
				return err
			}
		}
		return s.mfaChanged(ctx, tx, actor, u, sessionID, action, detail, "security_mfa_disabled", map[string]any{"Method": method})
	})
}

// consumeTOTP checks code against a sealed secret at the transaction's
// time, ±totpSkew steps, and records its step as used. A wrong code or a
// replayed step is ErrMFAInvalidCode.
func (s *Service) consumeTOTP(ctx context.Context, tx *store.Tx, userID int64, sealed []byte, code string) error {
	kr, err := s.keyring()
	if err != nil {
		return err
	}
	secret, err := kr.Open(sealed, sealAAD(totpSealUse, userID))
	if err != nil {
		return fmt.Errorf("accounts: totp secret of user %d: %w", userID, err)
	}
	step, ok := matchTOTP(secret, code, tx.Now())
	if !ok {
		return ErrMFAInvalidCode
	}
	if err := tx.UseTOTPStep(ctx, userID, step); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return ErrMFAInvalidCode // this step or a later one was used: a replay
		}
		return err
	}
	return nil
}

// matchTOTP returns the time step within ±totpSkew of now whose code is
// code. Every candidate is compared, so the time taken does not tell which
// matched.
func matchTOTP(secret []byte, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	b32 := totpBase32.EncodeToString(secret)
	current := now.Unix() / totpPeriod
	var found int64
	ok := false
	for step := current - totpSkew; step <= current+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(b32, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found, ok = step, true
		}
	}
	return found, ok
}
