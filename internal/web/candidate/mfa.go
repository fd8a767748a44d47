package candidate

// Second factors on the signed-in Security tab (SECURITY.md MFA-01..06):
// the status, setting up and turning off an authenticator app (TOTP) and
// text messages (SMS), and new backup codes. The rules live in accounts;
// these handlers ask for what the rules need and show the result.
//
// Every change is a POST and needs a recent sign-in (reauthWindow, MFA-05,
// MFA-06); an older session gets a page that offers to sign in again. A
// change to an account that has a factor needs a current code of one
// (accounts.Proof): the forms then ask for a method and a code, and offer
// to text a code when SMS is on. Backup codes and the TOTP secret are shown
// once, in the answer to the POST that made them (never in a URL; every
// page is Cache-Control: no-store); other successes redirect with a notice.

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The change pages (mfa_change.html) by kind. The kind is also the value
// of the "return" field of the text-me-a-code form.
const (
	mfaKindTOTP        = "totp"
	mfaKindSMS         = "sms"
	mfaKindTOTPDisable = "totp_disable"
	mfaKindSMSDisable  = "sms_disable"
)

// mfaKindPath is the page of each kind.
var mfaKindPath = map[string]string{
	mfaKindTOTP:        "/profile/security/totp",
	mfaKindSMS:         "/profile/security/sms",
	mfaKindTOTPDisable: "/profile/security/totp/disable",
	mfaKindSMSDisable:  "/profile/security/sms/disable",
}

// mfaSecurityPage is the Security tab: password, second factors, sessions.
type mfaSecurityPage struct {
	web.BasePage
	Sessions        []accounts.SessionInfo
	MFA             *accounts.MFAStatus
	BackupCodeCount int
}

// handleSecurityOverview is the Security tab.
func (s *Pages) handleSecurityOverview(w http.ResponseWriter, r *http.Request) error {
	sess := web.RequestSession(r)
	list, err := s.Accounts.ListSessions(r.Context(), web.Actor(r), sess.ID)
	if err != nil {
		return err
	}
	st, err := s.Accounts.MFAStatus(r.Context(), sess.User.ID)
	if err != nil {
		return err
	}
	p := &mfaSecurityPage{Sessions: list, MFA: st, BackupCodeCount: accounts.BackupCodeCount}
	s.FillBase(r, &p.BasePage, "security.title")
	return s.Render(w, r, http.StatusOK, "security", p)
}

// mfaChangePage is a form that changes a factor: set up TOTP (the first
// step), set up SMS or change its number, turn either off.
type mfaChangePage struct {
	web.BasePage
	Kind string
	Form *web.Form
	// Status is the account's factors; Methods those that can prove a
	// change (none when the account has no factor yet).
	Status  *accounts.MFAStatus
	Methods []string
	// Required: staff sent here by the console (MFA-01).
	Required bool
}

// Action is the form's target.
func (p *mfaChangePage) Action() string { return mfaKindPath[p.Kind] }

// LastFactor reports whether turning this factor off leaves none.
func (p *mfaChangePage) LastFactor() bool {
	switch p.Kind {
	case mfaKindTOTPDisable:
		return !p.Status.SMS
	case mfaKindSMSDisable:
		return !p.Status.TOTP
	}
	return false
}

// CanText reports whether the page can offer to text a confirmation code.
func (p *mfaChangePage) CanText() bool {
	for _, m := range p.Methods {
		if m == accounts.MethodSMS {
			return true
		}
	}
	return false
}

// MethodField is the choice of factor that proves the change.
func (p *mfaChangePage) MethodField() web.Field {
	fl := web.NewField(p.T, p.Form, "method", "select", "mfa.method")
	for _, m := range p.Methods {
		fl.Options = append(fl.Options, web.Option{Value: m, Label: p.T.T("mfa.method_"+m, nil), Selected: m == fl.Value})
	}
	return fl
}

func (s *Pages) newMFAChangePage(r *http.Request, kind string, f *web.Form, st *accounts.MFAStatus) *mfaChangePage {
	p := &mfaChangePage{Kind: kind, Form: f, Status: st}
	if st.Enabled() {
		p.Methods = st.Methods()
	}
	title := "mfa.totp_title"
	switch kind {
	case mfaKindSMS:
		title = "mfa.sms_title"
		if st.SMS {
			title = "mfa.sms_change_title"
		}
	case mfaKindTOTPDisable:
		title = "mfa.totp_disable_title"
	case mfaKindSMSDisable:
		title = "mfa.sms_disable_title"
	}
	s.FillBase(r, &p.BasePage, title)
	if !validMethod(p.Methods, f.Value("method")) && len(p.Methods) > 0 {
		f.Values["method"] = p.Methods[0]
	}
	return p
}

func validMethod(methods []string, m string) bool {
	for _, x := range methods {
		if x == m {
			return true
		}
	}
	return false
}

// showMFAChange renders a change page for a GET. It sends a session that
// signed in too long ago to sign in again first, and a page that makes no
// sense for the account's factors back to the Security tab.
func (s *Pages) showMFAChange(w http.ResponseWriter, r *http.Request, kind string) error {
	sess := web.RequestSession(r)
	st, err := s.Accounts.MFAStatus(r.Context(), sess.User.ID)
	if err != nil {
		return err
	}
	if (kind == mfaKindTOTP && st.TOTP) || (kind == mfaKindTOTPDisable && !st.TOTP) || (kind == mfaKindSMSDisable && !st.SMS) {
		http.Redirect(w, r, "/profile/security", http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	if !web.RecentlyProved(r, s.Clock.Now()) {
		return s.RenderReauth(w, r, http.StatusOK, r.URL.RequestURI())
	}
	f := web.NewForm()
	f.Values["method"] = q.Get("method")
	p := s.newMFAChangePage(r, kind, f, st)
	p.Required = kind == mfaKindTOTP && enrolRequired(r)
	return s.Render(w, r, http.StatusOK, "mfa_change", p)
}

// rerenderMFAChange shows a change page again with what was wrong, or
// returns err to the error mapper when it is no form error.
func (s *Pages) rerenderMFAChange(w http.ResponseWriter, r *http.Request, kind string, f *web.Form, err error) error {
	st, serr := s.Accounts.MFAStatus(r.Context(), web.RequestSession(r).User.ID)
	if serr != nil {
		return serr
	}
	p := s.newMFAChangePage(r, kind, f, st)
	p.Required = kind == mfaKindTOTP && enrolRequired(r)
	if !s.applyMFAError(&p.BasePage, f, err) {
		return err
	}
	return s.Render(w, r, web.FormStatus(err), "mfa_change", p)
}

// proofFrom reads the method and code that prove a change.
func proofFrom(r *http.Request) (accounts.Proof, *web.Form) {
	f := web.FormFrom(r, "method")
	return accounts.Proof{Method: f.Value("method"), Code: r.PostForm.Get("code")}, f
}

// applyMFAError puts an error of the MFA service next to its field: the
// phone number, the method, or (most) the code. A wrong code says how many
// tries are left. It reports false for errors that are not about the form
// (rate limits, locks, internal errors).
func (s *Pages) applyMFAError(b *web.BasePage, f *web.Form, err error) bool {
	var pe *portal.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch {
	case errors.Is(err, accounts.ErrMFAProofRequired):
		// The change needs a code and none was given.
	case pe.Code == portal.EInvalid, pe.Code == portal.EUnauthorized, pe.Code == portal.EConflict:
	default:
		return false
	}
	switch {
	case len(pe.Fields) > 0:
		for _, fe := range pe.Fields {
			f.SetError(fe.Field, b.T.T(fe.Message, fe.Data))
		}
	case errors.Is(err, accounts.ErrMFAMethodUnavailable):
		f.SetError("method", b.T.T(pe.Message, pe.Data))
	default:
		msg := b.T.T(pe.Message, pe.Data)
		if n, ok := pe.Data["Remaining"].(int); ok && n > 0 {
			msg += " " + b.T.T("mfa.attempts_left", map[string]any{"Count": n})
		} else if ok {
			msg += " " + b.T.T("mfa.no_attempts_left", nil)
		}
		f.SetError("code", msg)
	}
	for _, field := range f.ErrorFields() {
		b.Errors = append(b.Errors, web.SummaryItem{Field: field, Message: f.Errors[field]})
	}
	return true
}

// mfaTOTPPage is the second step of setting up TOTP: the QR code and the
// key (only in the answer that made them), and the form for the first code.
type mfaTOTPPage struct {
	web.BasePage
	Form      *web.Form
	Enrolment *accounts.TOTPEnrolment
	Required  bool
}

// Minutes is how long the set-up waits for the first code.
func (p *mfaTOTPPage) Minutes() int { return int(accounts.TOTPEnrolmentTTL / time.Minute) }

// QRCode is the QR code as an image URL. The data: URL is made here, from
// the PNG the service encoded; html/template would drop it as a string.
func (p *mfaTOTPPage) QRCode() template.URL {
	if p.Enrolment == nil {
		return ""
	}
	return template.URL(p.Enrolment.QRDataURL()) // a PNG the server made, base64: nothing to escape
}

// mfaCodesPage shows new backup codes, once.
type mfaCodesPage struct {
	web.BasePage
	Codes []string
	Next  string
	// Replaced: the codes replace an earlier set.
	Replaced bool
}

// mfaSMSConfirmPage asks for the code sent to a new number.
type mfaSMSConfirmPage struct {
	web.BasePage
	Form *web.Form
}

// renderCodes shows backup codes: the first set of a new factor, or a set
// that replaced the old one. next is the page after them.
func (s *Pages) renderCodes(w http.ResponseWriter, r *http.Request, codes []string, replaced bool, next string) error {
	p := &mfaCodesPage{Codes: codes, Next: next, Replaced: replaced}
	title := "mfa.codes_first_title"
	if replaced {
		title = "mfa.codes_new_title"
	}
	s.FillBase(r, &p.BasePage, title)
	return s.Render(w, r, http.StatusOK, "mfa_codes", p)
}

// handleReauth signs this session out and sends the browser to sign in
// again, then back to where it was.
func (s *Pages) handleReauth(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	next := web.LocalPath(r.PostForm.Get("next"), "/profile/security")
	if err := s.Accounts.SignOut(r.Context(), web.Actor(r), web.RequestSession(r).ID); err != nil {
		return err
	}
	s.ClearSessionCookie(w)
	http.Redirect(w, r, web.WithNotice("/signin", noticeReauth)+"&next="+url.QueryEscape(next), http.StatusSeeOther)
	return nil
}

// handleMFASendCode texts a confirmation code (for a Proof) to the
// account's verified number and goes back to the form that needs it.
func (s *Pages) handleMFASendCode(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	kind := r.PostForm.Get("return")
	path, ok := mfaKindPath[kind]
	if !ok {
		kind, path = "", "/profile/security"
	}
	q := url.Values{"method": {accounts.MethodSMS}, "notice": {string(noticeConfirmCodeSent)}}
	if kind == mfaKindTOTP && enrolRequired(r) {
		q.Set("required", "1")
	}
	if done, err := s.CheckRecent(w, r, path); done {
		return err
	}
	if _, err := s.Accounts.SendConfirmCode(r.Context(), web.Actor(r), web.RequestSession(r).ID); err != nil {
		return err
	}
	http.Redirect(w, r, path+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// TOTP.

// enrolRequired reports whether the console sent this staff member to set
// up TOTP (?required=1, kept in the forms as a field): the pages then say
// why, and the console follows.
func enrolRequired(r *http.Request) bool {
	return r.FormValue("required") == "1" && web.RequestSession(r).User.Role.IsStaff()
}

// totpPath is the first TOTP page, as the console's redirect names it when
// required.
func totpPath(required bool) string {
	if required {
		return web.MFARequiredPath
	}
	return mfaKindPath[mfaKindTOTP]
}

func (s *Pages) handleTOTPForm(w http.ResponseWriter, r *http.Request) error {
	return s.showMFAChange(w, r, mfaKindTOTP)
}

// handleTOTPBegin makes a new secret and shows it, once, with the form
// for the first code.
func (s *Pages) handleTOTPBegin(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	required := enrolRequired(r)
	if done, err := s.CheckRecent(w, r, totpPath(required)); done {
		return err
	}
	proof, f := proofFrom(r)
	enr, err := s.Accounts.BeginTOTP(r.Context(), web.Actor(r), web.RequestSession(r).ID, proof)
	if errors.Is(err, accounts.ErrMFATOTPEnabled) {
		http.Redirect(w, r, "/profile/security", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return s.rerenderMFAChange(w, r, mfaKindTOTP, f, err)
	}
	p := &mfaTOTPPage{Form: web.NewForm(), Enrolment: enr, Required: required}
	s.FillBase(r, &p.BasePage, "mfa.totp_title")
	return s.Render(w, r, http.StatusOK, "mfa_totp", p)
}

// handleTOTPConfirm turns TOTP on with its first code. The first factor
// of an account comes with backup codes, shown once in this answer.
func (s *Pages) handleTOTPConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	required := enrolRequired(r)
	if done, err := s.CheckRecent(w, r, totpPath(required)); done {
		return err
	}
	sess := web.RequestSession(r)
	codes, err := s.Accounts.ConfirmTOTP(r.Context(), web.Actor(r), sess.ID, r.PostForm.Get("code"))
	if errors.Is(err, accounts.ErrMFATOTPEnabled) {
		http.Redirect(w, r, "/profile/security", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		// The secret is not shown again: the user has it in the app, or
		// starts again.
		p := &mfaTOTPPage{Form: web.NewForm(), Required: required}
		s.FillBase(r, &p.BasePage, "mfa.totp_title")
		if !s.applyMFAError(&p.BasePage, p.Form, err) {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "mfa_totp", p)
	}
	next := web.WithNotice("/profile/security", noticeTOTPEnabled)
	if required {
		next = "/console"
	}
	if codes == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderCodes(w, r, codes, false, next)
}

func (s *Pages) handleTOTPDisableForm(w http.ResponseWriter, r *http.Request) error {
	return s.showMFAChange(w, r, mfaKindTOTPDisable)
}

func (s *Pages) handleTOTPDisable(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	if done, err := s.CheckRecent(w, r, mfaKindPath[mfaKindTOTPDisable]); done {
		return err
	}
	proof, f := proofFrom(r)
	err := s.Accounts.DisableTOTP(r.Context(), web.Actor(r), web.RequestSession(r).ID, proof)
	if errors.Is(err, accounts.ErrMFANotEnabled) {
		http.Redirect(w, r, "/profile/security", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return s.rerenderMFAChange(w, r, mfaKindTOTPDisable, f, err)
	}
	http.Redirect(w, r, web.WithNotice("/profile/security", noticeTOTPDisabled), http.StatusSeeOther)
	return nil
}

// SMS.

func (s *Pages) handleSMSForm(w http.ResponseWriter, r *http.Request) error {
	return s.showMFAChange(w, r, mfaKindSMS)
}

// handleSMSStart texts a code to the number to prove it is the user's.
func (s *Pages) handleSMSStart(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	if done, err := s.CheckRecent(w, r, mfaKindPath[mfaKindSMS]); done {
		return err
	}
	proof, f := proofFrom(r)
	f.Values["phone"] = r.PostForm.Get("phone")
	if _, err := s.Accounts.StartPhoneVerification(r.Context(), web.Actor(r), web.RequestSession(r).ID, f.Value("phone"), proof); err != nil {
		return s.rerenderMFAChange(w, r, mfaKindSMS, f, err)
	}
	http.Redirect(w, r, web.WithNotice("/profile/security/sms/confirm", noticeSMSCodeSent), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleSMSConfirmForm(w http.ResponseWriter, r *http.Request) error {
	if !web.RecentlyProved(r, s.Clock.Now()) {
		return s.RenderReauth(w, r, http.StatusOK, mfaKindPath[mfaKindSMS])
	}
	p := &mfaSMSConfirmPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "mfa.sms_confirm_title")
	return s.Render(w, r, http.StatusOK, "mfa_sms_confirm", p)
}

// handleSMSConfirm turns SMS on for the number the code went to (or
// changes the number). The first factor comes with backup codes.
func (s *Pages) handleSMSConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	if done, err := s.CheckRecent(w, r, mfaKindPath[mfaKindSMS]); done {
		return err
	}
	sess := web.RequestSession(r)
	before, err := s.Accounts.MFAStatus(r.Context(), sess.User.ID)
	if err != nil {
		return err
	}
	codes, err := s.Accounts.ConfirmPhone(r.Context(), web.Actor(r), sess.ID, r.PostForm.Get("code"))
	if err != nil {
		p := &mfaSMSConfirmPage{Form: web.NewForm()}
		s.FillBase(r, &p.BasePage, "mfa.sms_confirm_title")
		if !s.applyMFAError(&p.BasePage, p.Form, err) {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "mfa_sms_confirm", p)
	}
	next := web.WithNotice("/profile/security", noticeSMSEnabled)
	if before.SMS {
		next = web.WithNotice("/profile/security", noticePhoneChanged)
	}
	if codes == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderCodes(w, r, codes, false, next)
}

func (s *Pages) handleSMSDisableForm(w http.ResponseWriter, r *http.Request) error {
	return s.showMFAChange(w, r, mfaKindSMSDisable)
}

func (s *Pages) handleSMSDisable(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	if done, err := s.CheckRecent(w, r, mfaKindPath[mfaKindSMSDisable]); done {
		return err
	}
	proof, f := proofFrom(r)
	err := s.Accounts.DisableSMS(r.Context(), web.Actor(r), web.RequestSession(r).ID, proof)
	if errors.Is(err, accounts.ErrMFANotEnabled) {
		http.Redirect(w, r, "/profile/security", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return s.rerenderMFAChange(w, r, mfaKindSMSDisable, f, err)
	}
	http.Redirect(w, r, web.WithNotice("/profile/security", noticeSMSDisabled), http.StatusSeeOther)
	return nil
}

// Backup codes.

// handleBackupCodesRegenerate replaces the backup codes and shows the new
// set, once.
func (s *Pages) handleBackupCodesRegenerate(w http.ResponseWriter, r *http.Request) error {
	if done, err := s.CheckRecent(w, r, "/profile/security"); done {
		return err
	}
	codes, err := s.Accounts.RegenerateBackupCodes(r.Context(), web.Actor(r), web.RequestSession(r).ID)
	if err != nil {
		return err
	}
	return s.renderCodes(w, r, codes, true, web.WithNotice("/profile/security", noticeBackupCodesReplaced))
}
