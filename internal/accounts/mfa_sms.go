package accounts

// SMS codes (SECURITY.md MFA-04). SMS is the weaker factor: the web shows
// SMSRiskNotice wherever it is offered, and TOTP is always offered too.
//
// Codes are 6 digits from crypto/rand, valid SMSCodeTTL (10 minutes), at
// most SMSCodeMaxAttempts wrong tries each, used once (compare-and-set),
// and stored as an HMAC-SHA256 under a key derived from Config.SecretKey
// over the account, purpose, session and code. Each code belongs to one
// session: a sign-in code to its flow's pending session (SendSignInCode),
// a number-verification code and a confirmation code to the signed-in
// session that asked for it. A newer code for the same session and
// purpose replaces the older one; it does not reset any failure count.
//
// Codes go only to a verified number: SMS turns on after the owner typed
// back a code sent to the number (StartPhoneVerification, ConfirmPhone).
// Changing the number of an account that has a factor needs proof of one.
//
// Send caps against SMS pumping: SMSPerPhonePerHour per number (all
// accounts), SMSPerAccountPerDay per account (all numbers and purposes),
// counted over sliding windows from sms_codes. Sends of one account are
// serialised by its user_mfa row lock, so its cap is exact; the per-number
// cap can be overshot by concurrent sends from different accounts at the
// same instant, by at most their number.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

const smsHMACPurpose = "certportal/sms-codes/hmac-sha256"

// SMS templates: catalog messages sms.NAME.
const (
	smsTemplatePhoneVerify = "phone_verify"
	smsTemplateSignIn      = "signin_code"
	smsTemplateConfirm     = "confirm_code"
)

// NormalizePhone checks a number in international (E.164) form: a "+",
// then 8 to 15 digits, the first not 0. Spaces, dashes, dots and brackets
// between digits are dropped.
func NormalizePhone(raw string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	p := b.String()
	if !strings.HasPrefix(p, "+") || len(p) < 9 || len(p) > 16 || p[1] == '0' {
		return "", false
	}
	return p, true
}

// MaskPhone hides all but the first two and the last two digits of an
// E.164 number: +34600123445 → +34•••••••45.
func MaskPhone(p string) string {
	digits := strings.TrimPrefix(p, "+")
	if len(digits) < 5 {
		return strings.Repeat("•", len(digits))
	}
	return "+" + digits[:2] + strings.Repeat("•", len(digits)-4) + digits[len(digits)-2:]
}

// newSMSCode returns 6 random digits.
func newSMSCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// smsCodeHash is the stored form of a code.
func (s *Service) smsCodeHash(userID int64, purpose string, sessionID int64, code string) ([]byte, error) {
	key, err := s.subkey(smsHMACPurpose)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%d/%s/%d/%s", userID, purpose, sessionID, code)
	return m.Sum(nil), nil
}

// checkSMSCaps refuses a send over a cap with ErrSMSRateLimited.
func checkSMSCaps(ctx context.Context, tx *store.Tx, userID int64, phone string) error {
	now := tx.Now()
	for _, c := range []struct {
		count  func(context.Context, time.Time) (*store.SMSSent, error)
		max    int
		window time.Duration
	}{
		{func(ctx context.Context, since time.Time) (*store.SMSSent, error) {
			return tx.CountSMSSentToUser(ctx, userID, since)
		}, SMSPerAccountPerDay, 24 * time.Hour},
		{func(ctx context.Context, since time.Time) (*store.SMSSent, error) {
			return tx.CountSMSSentToPhone(ctx, phone, since)
		}, SMSPerPhonePerHour, time.Hour},
	} {
		sent, err := c.count(ctx, now.Add(-c.window))
		if err != nil {
			return err
		}
		if sent.Count >= c.max {
			wait := c.window
			if sent.Oldest != nil {
				wait = sent.Oldest.Add(c.window).Sub(now)
			}
			return mfaRetryAfter(ErrSMSRateLimited, wait)
		}
	}
	return nil
}

// sendSMSCode checks the caps, stores a new code for the session and
// purpose and queues the SMS carrying it.
func (s *Service) sendSMSCode(ctx context.Context, tx *store.Tx, actor portal.Actor, u *portal.User, purpose string, sessionID int64, phone, template string) error {
	if err := checkSMSCaps(ctx, tx, u.ID, phone); err != nil {
		return err
	}
	code, err := newSMSCode()
	if err != nil {
		return err
	}
	hash, err := s.smsCodeHash(u.ID, purpose, sessionID, code)
	if err != nil {
		return err
	}
	if _, err := tx.CreateSMSCode(ctx, store.SMSCodeCreate{
		UserID: u.ID, Purpose: purpose, SessionID: sessionID, Phone: phone, CodeHash: hash, TTL: SMSCodeTTL,
	}); err != nil {
		return err
	}
	err = jobs.Enqueue(ctx, tx, mail.KindSendSMS, mail.SMS{
		To: phone, Lang: u.Language, Template: template,
		Data: map[string]any{"Code": code, "Count": strconv.Itoa(int(SMSCodeTTL / time.Minute))},
	})
	if err != nil {
		return err
	}
	return audit(ctx, tx, actor, "mfa.sms_sent", userSubject(u.ID), purpose+" "+MaskPhone(phone))
}

// consumeSMSCode checks code against the newest code of the account for
// purpose and session and uses it up. A wrong code counts against the
// code's tries (Data Remaining: tries left for it).
func (s *Service) consumeSMSCode(ctx context.Context, tx *store.Tx, userID int64, purpose string, sessionID int64, code string) (*portal.SMSCode, error) {
	c, err := tx.FindSMSCodeBySession(ctx, userID, purpose, sessionID)
	if errors.Is(err, portal.ErrNotFound) {
		return nil, ErrMFAInvalidCode
	}
	if err != nil {
		return nil, err
	}
	if c.Attempts >= SMSCodeMaxAttempts {
		return nil, ErrMFAInvalidCode
	}
	hash, err := s.smsCodeHash(userID, purpose, sessionID, strings.Join(strings.Fields(code), ""))
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(hash, c.CodeHash) {
		n, err := tx.FailSMSCode(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		return nil, mfaErrData(ErrMFAInvalidCode, map[string]any{"Remaining": max(0, SMSCodeMaxAttempts-n)})
	}
	if !tx.Now().Before(c.ExpiresAt) {
		return nil, ErrMFACodeExpired
	}
	if err := tx.UseSMSCode(ctx, c.ID, SMSCodeMaxAttempts); err != nil {
		if errors.Is(err, portal.ErrNotFound) {
			return nil, ErrMFAInvalidCode // a concurrent use won
		}
		return nil, err
	}
	return c, nil
}

// StartPhoneVerification sends a code to phone so that the actor can prove
// it is theirs (ConfirmPhone). An account that has a factor already must
// give proof of one (to change the number, say). It returns the masked
// number for the page.
//
// Errors: invalid with field "phone" (mfa.phone_invalid),
// ErrMFAProofRequired and the wrong-code errors, ErrMFALocked,
// ErrSMSRateLimited.
func (s *Service) StartPhoneVerification(ctx context.Context, actor portal.Actor, sessionID int64, phone string, proof Proof) (string, error) {
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return "", err
	}
	p, ok := NormalizePhone(phone)
	if !ok {
		return "", &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid", Fields: []portal.FieldError{{Field: "phone", Message: "mfa.phone_invalid"}}}
	}
	err := s.mfaTransact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		if mfaOn(m) {
			if err := s.proveFactor(ctx, tx, actor, u, m, sessionID, proof); err != nil {
				return err
			}
		}
		return s.sendSMSCode(ctx, tx, actor, u, store.SMSVerifyPhone, sessionID, p, smsTemplatePhoneVerify)
	})
	if err != nil {
		return "", err
	}
	return MaskPhone(p), nil
}

// ConfirmPhone turns SMS on for the number StartPhoneVerification sent
// code to, from the same session (or changes the number when SMS was on).
// When SMS is the account's first factor it also returns the first
// BackupCodeCount backup codes, shown this once; otherwise nil. Every other
// session is signed out, the owner notified.
//
// Errors: ErrMFAInvalidCode (Data Remaining: tries left for this code; also
// when no verification is waiting), ErrMFACodeExpired.
func (s *Service) ConfirmPhone(ctx context.Context, actor portal.Actor, sessionID int64, code string) ([]string, error) {
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
	err = s.mfaTransact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		m, err := tx.LockUserMFA(ctx, u.ID)
		if err != nil {
			return err
		}
		c, err := s.consumeSMSCode(ctx, tx, u.ID, store.SMSVerifyPhone, sessionID, code)
		if _, ok := mfaRejection(err); ok {
			return mfaKeep{err} // keep the try counted
		}
		if err != nil {
			return err
		}
		if err := tx.EnableSMS(ctx, u.ID, c.Phone); err != nil {
			return err
		}
		if first, err = firstFactorCodes(ctx, tx, u.ID, m, hashes); err != nil {
			return err
		}
		action := "mfa.sms_enabled"
		if m.SMSEnabledAt != nil {
			action = "mfa.phone_changed"
		}
		return s.mfaChanged(ctx, tx, actor, u, sessionID, action, MaskPhone(c.Phone), "security_mfa_enabled", map[string]any{"Method": MethodSMS})
	})
	if err != nil {
		return nil, err
	}
	if !first {
		codes = nil // backup codes come with the first factor only
	}
	return codes, nil
}

// DisableSMS turns SMS codes off and forgets the number. It needs proof
// of a factor. When no factor remains the backup codes are deleted too.
// Every other session is signed out, the owner notified.
//
// Errors: ErrMFANotEnabled, ErrMFAProofRequired and the wrong-code errors,
// ErrMFALocked.
func (s *Service) DisableSMS(ctx context.Context, actor portal.Actor, sessionID int64, proof Proof) error {
	return s.disableFactor(ctx, actor, sessionID, proof, MethodSMS)
}

// SendConfirmCode sends a code to the actor's verified number for a Proof
// (method MethodSMS) from this signed-in session. It returns the masked
// number.
//
// Errors: ErrMFAMethodUnavailable (SMS off), ErrMFALocked,
// ErrSMSRateLimited.
func (s *Service) SendConfirmCode(ctx context.Context, actor portal.Actor, sessionID int64) (string, error) {
	if err := actor.RequireRecentProof(s.clock.Now()); err != nil {
		return "", err
	}
	var phone string
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		u, err := mfaUser(ctx, tx, actor)
		if err != nil {
			return err
		}
		phone, err = s.sendFactorCode(ctx, tx, actor, u, store.SMSConfirm, sessionID, smsTemplateConfirm)
		return err
	})
	if err != nil {
		return "", err
	}
	return MaskPhone(phone), nil
}

// SendSignInCode sends a sign-in code for the flow waiting in the pending
// session pendingSessionID to the account's verified number. The code
// works only in that flow, for SMSCodeTTL; a new one replaces it but does
// not reset the failure count. It returns the masked number.
//
// Errors: ErrMFAFlowExpired, ErrMFAMethodUnavailable (SMS off),
// ErrMFALocked, ErrSMSRateLimited.
func (s *Service) SendSignInCode(ctx context.Context, pendingSessionID int64) (string, error) {
	var phone string
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		sess, err := tx.GetPendingSession(ctx, pendingSessionID, s.cfg.SessionIdle)
		if errors.Is(err, portal.ErrNotFound) {
			return ErrMFAFlowExpired
		}
		if err != nil {
			return err
		}
		actor := portal.Actor{UserID: sess.UserID, IP: sess.IP}
		u, err := mfaUser(ctx, tx, actor)
		if errors.Is(err, portal.ErrUnauthorized) {
			return ErrMFAFlowExpired
		}
		if err != nil {
			return err
		}
		phone, err = s.sendFactorCode(ctx, tx, actor, u, store.SMSSignIn, pendingSessionID, smsTemplateSignIn)
		return err
	})
	if err != nil {
		return "", err
	}
	return MaskPhone(phone), nil
}

// sendFactorCode texts a code to the account's verified number, for a
// proof or a sign-in bound to sessionID, and returns the number. SMS must
// be on and code entry not paused.
func (s *Service) sendFactorCode(ctx context.Context, tx *store.Tx, actor portal.Actor, u *portal.User, purpose string, sessionID int64, template string) (string, error) {
	m, err := tx.LockUserMFA(ctx, u.ID)
	if err != nil {
		return "", err
	}
	if m.SMSEnabledAt == nil {
		return "", ErrMFAMethodUnavailable
	}
	if err := mfaCheckLock(m, tx.Now()); err != nil {
		return "", err
	}
	return m.Phone, s.sendSMSCode(ctx, tx, actor, u, purpose, sessionID, m.Phone, template)
}

// PurgeSMSCodes deletes codes older than two days (longer than any cap
// window); a periodic job calls it.
func (s *Service) PurgeSMSCodes(ctx context.Context) (int64, error) {
	var n int64
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.DeleteSMSCodesBefore(ctx, tx.Now().Add(-48*time.Hour))
		return err
	})
	return n, err
}
