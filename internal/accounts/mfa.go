package accounts

// Multi-factor authentication (SECURITY.md MFA-01..06, AUTH-11..13).
//
// Factors: TOTP (mfa_totp.go), SMS codes to a verified number (mfa_sms.go)
// and backup codes (backupcodes.go). An account "has MFA" while TOTP or
// SMS is on; backup codes exist only alongside one of them.
//
// Sign-in: after the password the web keeps a session in state
// mfa_pending (the flow) and calls VerifySecondFactor with the code; for
// SMS it first calls SendSignInCode for that flow.
//
// Every change (enabling or disabling a factor, regenerating backup codes)
// runs in one transaction that also writes an audit event, queues one
// security notice to the account's address in the user's language (AUTH-13)
// and deletes every other session of the account, keeping only the one
// that made the change (AUTH-12). Changes to an account that already has a
// factor need a current code of one of its factors ("proof"); the web also
// asks for a recent sign-in (MFA-06).
//
// Wrong codes (MFA-03). failed_attempts counts consecutive wrong codes of
// an account across flows, methods and new codes; only a correct code
// resets it. Each time it reaches a multiple of FlowMaxFailures (5) the
// sign-in flow in which it happened ends (its pending session is deleted,
// mfa.too_many_attempts), so no flow sees more than 5 wrong codes and a new
// flow continues the count. Each time it reaches a multiple of
// LockAfterFailures (10) every code of the account is refused for a while
// (mfa.locked): 15 minutes, doubling with each further lock up to 24 hours,
// and the owner is told by mail. The bound: at most 5 wrong codes per
// password entry, at most 10 per lock period, and 100 consecutive wrong
// codes take more than three days.
//
// Time is the server's only: the transaction's frozen now (store.Tx.Now),
// never a time from the client.

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/jobs"
	"example.org/certportal/internal/mail"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Second-factor methods, as VerifySecondFactor and the proofs take them.
const (
	MethodTOTP   = "totp"
	MethodSMS    = "sms"
	MethodBackup = "backup"
)

// Limits.
const (
	// TOTPEnrolmentTTL is how long a new TOTP secret waits for its first
	// code.
	TOTPEnrolmentTTL = 15 * time.Minute
	// SMSCodeTTL is how long a code sent by SMS works.
	SMSCodeTTL = 10 * time.Minute
	// SMSCodeMaxAttempts is how many wrong tries one SMS code survives.
	SMSCodeMaxAttempts = 5
	// FlowMaxFailures wrong codes end a sign-in flow.
	FlowMaxFailures = 5
	// LockAfterFailures consecutive wrong codes lock code entry.
	LockAfterFailures = 10
	// MFALockBase is the first lock; each further one doubles, up to
	// MFALockMax.
	MFALockBase = 15 * time.Minute
	MFALockMax  = 24 * time.Hour
	// SMSPerPhonePerHour and SMSPerAccountPerDay cap the codes sent (SMS
	// pumping): per number for every account together, and per account
	// for every number and purpose together. Both windows slide.
	SMSPerPhonePerHour  = 5
	SMSPerAccountPerDay = 10
)

// SMSRiskNotice is the catalog message the web shows wherever SMS is
// offered or enabled: SMS is weaker than an authenticator app (MFA-04).
const SMSRiskNotice = "mfa.sms_risk_notice"

// ResetPasswordPath is the page the "this wasn't me" notices link to.
const ResetPasswordPath = "/password/forgot"

// MFA errors. Each is a *portal.Error whose Message is its catalog ID;
// errors.Is matches them by code and message, so the returned values,
// which may carry Data, match these.
var (
	// ErrMFAInvalidCode: wrong, malformed or replayed code. Data
	// "Remaining": wrong codes left before the flow ends (or, outside a
	// sign-in flow, before code entry locks).
	ErrMFAInvalidCode = &portal.Error{Code: portal.EUnauthorized, Message: "mfa.invalid_code"}
	// ErrMFACodeUsed: a backup code that was used before. Data Remaining.
	ErrMFACodeUsed = &portal.Error{Code: portal.EUnauthorized, Message: "mfa.code_used"}
	// ErrMFACodeExpired: an SMS code older than SMSCodeTTL. Data Remaining.
	ErrMFACodeExpired = &portal.Error{Code: portal.EUnauthorized, Message: "mfa.code_expired"}
	// ErrMFATooManyAttempts: the sign-in flow ended after too many wrong
	// codes; sign in again.
	ErrMFATooManyAttempts = &portal.Error{Code: portal.EUnauthorized, Message: "mfa.too_many_attempts"}
	// ErrMFALocked: code entry is paused. Data "RetryAfter" in seconds.
	ErrMFALocked = &portal.Error{Code: portal.ERateLimited, Message: "mfa.locked"}
	// ErrMFAFlowExpired: the pending sign-in session is gone, expired or
	// not pending; sign in again.
	ErrMFAFlowExpired = &portal.Error{Code: portal.EUnauthorized, Message: "mfa.flow_expired"}
	// ErrMFAMethodUnavailable: the account does not have that method on.
	ErrMFAMethodUnavailable = &portal.Error{Code: portal.EInvalid, Message: "mfa.method_unavailable"}
	// ErrMFAProofRequired: the change needs a current code of one of the
	// account's factors. Data "Methods": the methods that can give one.
	ErrMFAProofRequired = &portal.Error{Code: portal.EForbidden, Message: "mfa.proof_required"}
	// ErrMFATOTPEnabled: TOTP is on already; disable it to enrol anew.
	ErrMFATOTPEnabled = &portal.Error{Code: portal.EConflict, Message: "mfa.totp_already_enabled"}
	// ErrMFANotEnabled: the factor (or MFA as a whole) is off.
	ErrMFANotEnabled = &portal.Error{Code: portal.EConflict, Message: "mfa.not_enabled"}
	// ErrMFAEnrolmentExpired: no TOTP enrolment is waiting (never begun,
	// or older than TOTPEnrolmentTTL); begin again.
	ErrMFAEnrolmentExpired = &portal.Error{Code: portal.EConflict, Message: "mfa.enrolment_expired"}
	// ErrSMSRateLimited: a send cap is reached. Data "RetryAfter" in
	// seconds.
	ErrSMSRateLimited = &portal.Error{Code: portal.ERateLimited, Message: "mfa.sms_rate_limited"}
)

// mfaErrCodeRequired is an empty code field: a form error, not a wrong code.
var mfaErrCodeRequired = &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
	Fields: []portal.FieldError{{Field: "code", Message: "mfa.code_required"}}}

func mfaBlank(code string) bool { return strings.TrimSpace(code) == "" }

// mfaErrData returns a copy of a sentinel with data.
func mfaErrData(e *portal.Error, data map[string]any) *portal.Error {
	return &portal.Error{Code: e.Code, Message: e.Message, Data: data}
}

func mfaRetryAfter(e *portal.Error, d time.Duration) *portal.Error {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return mfaErrData(e, map[string]any{"RetryAfter": secs})
}

// MFAStatus is an account's second factors, for the security page and the
// sign-in step.
type MFAStatus struct {
	TOTP            bool
	SMS             bool
	PhoneMasked     string // the verified number, masked: +34•••••••45
	BackupCodesLeft int
	// TOTPPending is true while an enrolment waits for its first code.
	TOTPPending bool
	// LockedUntil is set while code entry is paused.
	LockedUntil *time.Time
}

// Enabled reports whether the account has a second factor.
func (m *MFAStatus) Enabled() bool { return m.TOTP || m.SMS }

// Methods lists what the sign-in step can offer, strongest first.
func (m *MFAStatus) Methods() []string {
	var out []string
	if m.TOTP {
		out = append(out, MethodTOTP)
	}
	if m.SMS {
		out = append(out, MethodSMS)
	}
	if m.Enabled() && m.BackupCodesLeft > 0 {
		out = append(out, MethodBackup)
	}
	return out
}

// MFAStatus returns the second factors of an account. It takes no actor:
// the sign-in step calls it before anyone is signed in; show its result
// only to the account's owner.
func (s *Service) MFAStatus(ctx context.Context, userID int64) (*MFAStatus, error) {
	m, err := s.st.GetUserMFA(ctx, userID)
	if errors.Is(err, portal.ErrNotFound) {
		return &MFAStatus{}, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	st := &MFAStatus{
		TOTP:        m.TOTPEnabledAt != nil,
		SMS:         m.SMSEnabledAt != nil,
		TOTPPending: m.TOTPPending != nil && m.TOTPPendingExpiresAt != nil && now.Before(*m.TOTPPendingExpiresAt),
	}
	if st.SMS {
		st.PhoneMasked = MaskPhone(m.Phone)
	}
	if m.LockedUntil != nil && now.Before(*m.LockedUntil) {
		st.LockedUntil = m.LockedUntil
	}
	if st.Enabled() {
		if st.BackupCodesLeft, err = s.st.CountBackupCodes(ctx, userID); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// mfaOn reports whether the account has a second factor.
func mfaOn(m *portal.MFAState) bool { return m.TOTPEnabledAt != nil || m.SMSEnabledAt != nil }

// mfaMethods lists the methods that can prove possession of a factor.
func mfaMethods(m *portal.MFAState) []string {
	var out []string
	if m.TOTPEnabledAt != nil {
		out = append(out, MethodTOTP)
	}
	if m.SMSEnabledAt != nil {
		out = append(out, MethodSMS)
	}
	if mfaOn(m) {
		out = append(out, MethodBackup)
	}
	return out
}

// mfaUser returns the signed-in actor's account, or ErrUnauthorized.
func mfaUser(ctx context.Context, tx *store.Tx, actor portal.Actor) (*portal.User, error) {
	if actor.UserID == 0 {
		return nil, portal.ErrUnauthorized
	}
	u, err := tx.GetUser(ctx, actor.UserID)
	if errors.Is(err, portal.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		return nil, portal.ErrUnauthorized
	}
	return u, err
}

// mfaKeep wraps an error whose transaction must still commit: the failure
// it reports was recorded (a wrong code counted, a flow ended).
type mfaKeep struct{ err error }

func (k mfaKeep) Error() string { return k.err.Error() }

// mfaTransact is store.Transact that commits when fn returns an mfaKeep
// and then returns the error it wraps.
func (s *Service) mfaTransact(ctx context.Context, fn func(tx *store.Tx) error) error {
	var kept error
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		kept = nil
		err := fn(tx)
		var k mfaKeep
		if errors.As(err, &k) {
			kept = k.err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	s.kick() // the change may have queued mail or a text message
	return kept
}

// mfaRejection reports whether err is a wrong-code verdict rather than a
// failure to check.
func mfaRejection(err error) (*portal.Error, bool) {
	for _, e := range []*portal.Error{ErrMFAInvalidCode, ErrMFACodeUsed, ErrMFACodeExpired} {
		if errors.Is(err, e) {
			return e, true
		}
	}
	return nil, false
}

// mfaCheckLock refuses every code while the account is locked.
func mfaCheckLock(m *portal.MFAState, now time.Time) error {
	if m.LockedUntil != nil && now.Before(*m.LockedUntil) {
		return mfaRetryAfter(ErrMFALocked, m.LockedUntil.Sub(now))
	}
	return nil
}

// mfaLockDuration is the length of the nth lock: MFALockBase doubling, at
// most MFALockMax.
func mfaLockDuration(n int) time.Duration {
	d := MFALockBase
	for i := 1; i < n && d < MFALockMax; i++ {
		d *= 2
	}
	return min(d, MFALockMax)
}

// codeMethod is the method a code is checked with: a code shaped like a
// backup code (ten characters of its alphabet; TOTP and SMS codes are six
// digits) is a backup code whatever method was chosen, so the code field
// of every form takes one as its hint says.
func codeMethod(method, code string) string {
	if _, ok := normalizeBackupCode(code); ok {
		return MethodBackup
	}
	return method
}

// consumeCode checks a code of method and uses it up. sessionID is the
// session the SMS code was sent for, smsPurpose its purpose. A code that
// does not work is ErrMFAInvalidCode, ErrMFACodeUsed or ErrMFACodeExpired
// (see mfaRejection); the SMS code's own try counter is updated in tx.
func (s *Service) consumeCode(ctx context.Context, tx *store.Tx, userID int64, m *portal.MFAState, method, code string, sessionID int64, smsPurpose string) error {
	switch method {
	case MethodTOTP:
		if m.TOTPEnabledAt == nil {
			return ErrMFAMethodUnavailable
		}
		return s.consumeTOTP(ctx, tx, userID, m.TOTPSecret, code)
	case MethodSMS:
		if m.SMSEnabledAt == nil {
			return ErrMFAMethodUnavailable
		}
		_, err := s.consumeSMSCode(ctx, tx, userID, smsPurpose, sessionID, code)
		return err
	case MethodBackup:
		if !mfaOn(m) {
			return ErrMFAMethodUnavailable
		}
		return s.consumeBackupCode(ctx, tx, userID, code)
	}
	return ErrMFAMethodUnavailable
}

// rejectCode records one wrong code, applies the limits described in the
// file comment and returns the error to show, wrapped in mfaKeep so that
// the record commits. flowID is the pending session of a sign-in flow,
// deleted when the flow ends; inFlow without a session (0) is a flow the
// caller keeps elsewhere (a reset link), which must end on
// ErrMFATooManyAttempts or ErrMFALocked.
func (s *Service) rejectCode(ctx context.Context, tx *store.Tx, actor portal.Actor, u *portal.User, method string, verdict *portal.Error, inFlow bool, flowID int64) error {
	n, err := tx.RecordMFAFailure(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := audit(ctx, tx, actor, "mfa.code_rejected", userSubject(u.ID), method); err != nil {
		return err
	}
	endFlow := func() error {
		if inFlow && flowID != 0 {
			return tx.DeleteSession(ctx, flowID)
		}
		return nil
	}
	if n%LockAfterFailures == 0 {
		d := mfaLockDuration(n / LockAfterFailures)
		until := tx.Now().Add(d)
		if err := tx.LockMFA(ctx, u.ID, until); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "mfa.locked", userSubject(u.ID), strconv.Itoa(n)); err != nil {
			return err
		}
		if err := s.mfaNotice(ctx, tx, actor, u, "security_mfa_locked", map[string]any{"Until": until}); err != nil {
			return err
		}
		if err := endFlow(); err != nil {
			return err
		}
		return mfaKeep{mfaRetryAfter(ErrMFALocked, d)}
	}
	if inFlow && n%FlowMaxFailures == 0 {
		if err := endFlow(); err != nil {
			return err
		}
		return mfaKeep{ErrMFATooManyAttempts}
	}
	remaining := LockAfterFailures - n%LockAfterFailures
	if inFlow {
		remaining = FlowMaxFailures - n%FlowMaxFailures
	}
	return mfaKeep{mfaErrData(verdict, map[string]any{"Remaining": remaining})}
}

// Proof is a current code of one of the account's factors, which a change
// to an account that has MFA needs (besides the recent sign-in the web
// asks for): a TOTP code, a backup code, or an SMS code that
// SendConfirmCode sent for the same session.
type Proof struct {
	Method string // MethodTOTP, MethodSMS or MethodBackup
	Code   string
}

// proveFactor checks a proof for a change made from the signed-in session
// sessionID. An empty proof is ErrMFAProofRequired naming the methods; a
// wrong code is counted like one at sign-in (but ends no session).
func (s *Service) proveFactor(ctx context.Context, tx *store.Tx, actor portal.Actor, u *portal.User, m *portal.MFAState, sessionID int64, p Proof) error {
	method, code := p.Method, p.Code
	if method == "" || mfaBlank(code) {
		return mfaErrData(ErrMFAProofRequired, map[string]any{"Methods": mfaMethods(m)})
	}
	method = codeMethod(method, code)
	if err := mfaCheckLock(m, tx.Now()); err != nil {
		return err
	}
	err := s.consumeCode(ctx, tx, u.ID, m, method, code, sessionID, store.SMSConfirm)
	if verdict, ok := mfaRejection(err); ok {
		return s.rejectCode(ctx, tx, actor, u, method, verdict, false, 0)
	}
	if err != nil {
		return err
	}
	return tx.ResetMFAFailures(ctx, u.ID)
}

// mfaChanged finishes a change to an account's factors in its transaction:
// audit, one security notice, and every other session signed out.
func (s *Service) mfaChanged(ctx context.Context, tx *store.Tx, actor portal.Actor, u *portal.User, sessionID int64, action, detail, template string, data map[string]any) error {
	if err := audit(ctx, tx, actor, action, userSubject(u.ID), detail); err != nil {
		return err
	}
	if err := s.mfaNotice(ctx, tx, actor, u, template, data); err != nil {
		return err
	}
	n, err := tx.DeleteUserSessions(ctx, u.ID, sessionID)
	if err != nil {
		return err
	}
	if n > 0 {
		return audit(ctx, tx, actor, "auth.sessions_revoked", userSubject(u.ID), strconv.FormatInt(n, 10))
	}
	return nil
}

// mfaNotice queues a security notice (templates security_*) to the
// account's address, in its language, with what to do if the owner did
// not do this.
func (s *Service) mfaNotice(ctx context.Context, tx *store.Tx, actor portal.Actor, u *portal.User, template string, data map[string]any) error {
	d := map[string]any{"Name": u.FirstName, "EventAt": tx.Now(), "Link": s.cfg.BaseURL + ResetPasswordPath}
	if actor.IP != "" {
		d["IP"] = actor.IP
	}
	for k, v := range data {
		d[k] = v
	}
	return jobs.Enqueue(ctx, tx, mail.KindSend, mail.Message{
		To: u.Email, ToName: u.FullName(), Lang: u.Language, Template: template, Data: d,
	})
}

// VerifySecondFactor checks the second factor of a sign-in flow: userID
// entered the right password and the session pendingSessionID waits in
// state mfa_pending. method is MethodTOTP, MethodSMS (a code from
// SendSignInCode for this flow) or MethodBackup. The code is used up: a
// TOTP time step, an SMS code or a backup code is accepted once, even
// under concurrent use. On success the failure count resets; a backup code
// also sends a notice.
//
// pendingSessionID 0 means the caller keeps the flow itself (a password
// reset link, AUTH-11): TOTP and backup codes work, SMS does not, and the
// caller must end its flow on ErrMFATooManyAttempts or ErrMFALocked.
//
// Errors: invalid with field "code" (mfa.code_required) for an empty
// code, which does not count; ErrMFAFlowExpired, ErrMFAMethodUnavailable,
// ErrMFAInvalidCode, ErrMFACodeUsed, ErrMFACodeExpired (with Data
// Remaining), ErrMFATooManyAttempts (the flow's session is deleted),
// ErrMFALocked (RetryAfter). A code shaped like a backup code is checked as
// one whatever method is given (codeMethod). The caller then activates the
// session under a new token (verifySecondFactor does both in one
// transaction).
func (s *Service) VerifySecondFactor(ctx context.Context, userID, pendingSessionID int64, method, code string) error {
	return s.verifySecondFactor(ctx, portal.Actor{UserID: userID}, userID, pendingSessionID, method, code, nil)
}

// verifySecondFactor is VerifySecondFactor for callers in this package:
// actor carries the request's IP and ID for the audit log, and onSuccess,
// when set, runs in the same transaction after the code was accepted (say,
// store's ActivateSession), so a flow cannot be completed twice; its error
// undoes the whole verification.
func (s *Service) verifySecondFactor(ctx context.Context, actor portal.Actor, userID, pendingSessionID int64, method, code string, onSuccess func(tx *store.Tx) error) error {
	method = codeMethod(method, code)
	if method == MethodSMS && pendingSessionID == 0 {
		return ErrMFAMethodUnavailable
	}
	if mfaBlank(code) {
		return mfaErrCodeRequired
	}
	actor.UserID = userID
	return s.mfaTransact(ctx, func(tx *store.Tx) error {
		if pendingSessionID != 0 {
			sess, err := tx.GetPendingSession(ctx, pendingSessionID, s.cfg.SessionIdle)
			if errors.Is(err, portal.ErrNotFound) || (err == nil && sess.UserID != userID) {
				return ErrMFAFlowExpired
			}
			if err != nil {
				return err
			}
		}
		u, err := tx.GetUser(ctx, userID)
		if errors.Is(err, portal.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
			return ErrMFAFlowExpired
		}
		if err != nil {
			return err
		}
		m, err := tx.GetUserMFA(ctx, userID)
		if errors.Is(err, portal.ErrNotFound) || (err == nil && !mfaOn(m)) {
			return ErrMFAMethodUnavailable
		}
		if err != nil {
			return err
		}
		if err := mfaCheckLock(m, tx.Now()); err != nil {
			return err
		}
		err = s.consumeCode(ctx, tx, userID, m, method, code, pendingSessionID, store.SMSSignIn)
		if verdict, ok := mfaRejection(err); ok {
			return s.rejectCode(ctx, tx, actor, u, method, verdict, true, pendingSessionID)
		}
		if err != nil {
			return err
		}
		if err := tx.ResetMFAFailures(ctx, userID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, "mfa.verified", userSubject(userID), method); err != nil {
			return err
		}
		if method == MethodBackup {
			left, err := tx.CountBackupCodes(ctx, userID)
			if err != nil {
				return err
			}
			if err := s.mfaNotice(ctx, tx, actor, u, "security_backup_code_used", map[string]any{"Left": strconv.Itoa(left)}); err != nil {
				return err
			}
		}
		if onSuccess != nil {
			return onSuccess(tx)
		}
		return nil
	})
}
