package candidate

import (
	"net/http"
	"strconv"
	"time"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/web"
)

// resetCookie carries a password-reset token after its link was opened,
// so the token leaves the address bar (and any Referer) at once;
// resetFlowCookie names the flow a texted reset code belongs to.
const (
	resetCookie     = "certportal_reset"
	resetFlowCookie = "certportal_reset_flow"
)

type resetPage struct {
	web.BasePage
	Form    *web.Form
	Link    *accounts.ResetLink
	SMSSent bool
}

// MethodField is the second-factor choice for an account with MFA.
func (p *resetPage) MethodField() web.Field {
	fl := web.NewField(p.T, p.Form, "method", "select", "mfa.method")
	add := func(v, label string) {
		fl.Options = append(fl.Options, web.Option{Value: v, Label: p.T.T(label, nil), Selected: v == fl.Value})
	}
	if p.Link.MFA.TOTP {
		add("totp", "mfa.method_totp")
	}
	if p.Link.MFA.SMS {
		add("sms", "mfa.method_sms")
	}
	add("backup", "mfa.method_backup")
	return fl
}

// handleResetLink moves the token from the URL into a short-lived cookie
// scoped to the reset page and redirects there.
func (s *Pages) handleResetLink(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{
		Name: resetCookie, Value: r.PathValue("token"), Path: "/password/reset", MaxAge: int(accounts.PasswordResetTTL / time.Second),
		HttpOnly: true, Secure: s.Secure(), SameSite: http.SameSiteStrictMode,
	})
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, "/password/reset", http.StatusSeeOther)
	return nil
}

func (s *Pages) resetToken(r *http.Request) string {
	c, err := r.Cookie(resetCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Pages) handleResetForm(w http.ResponseWriter, r *http.Request) error {
	link, err := s.Accounts.CheckResetLink(r.Context(), s.resetToken(r))
	if err != nil {
		return err
	}
	f := web.NewForm()
	f.Values["method"] = r.URL.Query().Get("method")
	p := &resetPage{Form: f, Link: link, SMSSent: r.URL.Query().Get("sent") == "1"}
	s.FillBase(r, &p.BasePage, "reset.title")
	return s.Render(w, r, http.StatusOK, "reset", p)
}

// handleResetSMS texts a code for the reset and remembers its flow.
func (s *Pages) handleResetSMS(w http.ResponseWriter, r *http.Request) error {
	flow, _, err := s.Accounts.SendResetCode(r.Context(), web.RequestMeta(r), s.resetToken(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: resetFlowCookie, Value: strconv.FormatInt(flow, 10), Path: "/password/reset", MaxAge: int(accounts.PasswordResetTTL / time.Second),
		HttpOnly: true, Secure: s.Secure(), SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "/password/reset?method=sms&sent=1", http.StatusSeeOther)
	return nil
}

func (s *Pages) handleReset(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	token := s.resetToken(r)
	f := web.FormFrom(r, "method")
	var flow int64
	if c, err := r.Cookie(resetFlowCookie); err == nil {
		flow, _ = strconv.ParseInt(c.Value, 10, 64)
	}
	err := s.Accounts.ResetPassword(r.Context(), web.RequestMeta(r), accounts.ResetRequest{
		Token: token, Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm"),
		Method: f.Value("method"), Code: r.PostForm.Get("code"), FlowID: flow,
	})
	if err != nil {
		link, lerr := s.Accounts.CheckResetLink(r.Context(), token)
		if lerr != nil {
			return lerr
		}
		p := &resetPage{Form: f, Link: link}
		s.FillBase(r, &p.BasePage, "reset.title")
		if !s.ApplyError(&p.BasePage, f, err, "password") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "reset", p)
	}
	for _, name := range []string{resetCookie, resetFlowCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Path: "/password/reset", MaxAge: -1, HttpOnly: true, Secure: s.Secure()})
	}
	http.Redirect(w, r, web.WithNotice("/signin", noticePasswordReset), http.StatusSeeOther)
	return nil
}
