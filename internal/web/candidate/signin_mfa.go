package candidate

import (
	"net/http"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The second step of a sign-in with MFA. The session from the password
// step is in a separate state that reaches only these pages.

type signInMFAPage struct {
	web.BasePage
	Form    *web.Form
	Status  *accounts.MFAStatus
	Next    string
	SMSSent bool
}

// MethodField is the choice of second factor.
func (p *signInMFAPage) MethodField() web.Field {
	fl := web.NewField(p.T, p.Form, "method", "select", "mfa.method")
	for _, m := range p.Status.Methods() {
		fl.Options = append(fl.Options, web.Option{Value: m, Label: p.T.T("mfa.method_"+m, nil), Selected: m == fl.Value})
	}
	return fl
}

// requirePending lets through only a session waiting for its second factor.
func (s *Pages) requirePending(h func(http.ResponseWriter, *http.Request, *accounts.Session) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		sess := web.RequestSession(r)
		if sess == nil || sess.Active() {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return nil
		}
		return h(w, r, sess)
	}
}

func (s *Pages) newSignInMFAPage(r *http.Request, sess *accounts.Session, f *web.Form) (*signInMFAPage, error) {
	st, err := s.Accounts.MFAStatus(r.Context(), sess.User.ID)
	if err != nil {
		return nil, err
	}
	p := &signInMFAPage{Form: f, Status: st, Next: web.LocalPath(r.FormValue("next"), "")}
	s.FillBase(r, &p.BasePage, "signin_mfa.title")
	if f.Value("method") == "" && len(st.Methods()) > 0 {
		f.Values["method"] = st.Methods()[0]
	}
	return p, nil
}

func (s *Pages) handleSignInMFAForm(w http.ResponseWriter, r *http.Request, sess *accounts.Session) error {
	f := web.NewForm()
	f.Values["method"] = r.URL.Query().Get("method")
	p, err := s.newSignInMFAPage(r, sess, f)
	if err != nil {
		return err
	}
	p.SMSSent = r.URL.Query().Get("sent") == "1"
	return s.Render(w, r, http.StatusOK, "signin_mfa", p)
}

// handleSignInMFA checks the code; on success the session becomes a full
// one under a new cookie value.
func (s *Pages) handleSignInMFA(w http.ResponseWriter, r *http.Request, sess *accounts.Session) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "method")
	token, err := s.Accounts.CompleteSignIn(r.Context(), web.RequestMeta(r), sess, f.Value("method"), r.PostForm.Get("code"))
	if err != nil {
		if portal.ErrorCode(err) == portal.EUnauthorized && isFlowEnd(err) {
			s.ClearSessionCookie(w)
			return err
		}
		p, perr := s.newSignInMFAPage(r, sess, f)
		if perr != nil {
			return perr
		}
		if !s.ApplyError(&p.BasePage, f, fieldOf("code", err), "code") {
			return err
		}
		return s.Render(w, r, web.FormStatus(err), "signin_mfa", p)
	}
	s.SetSessionCookie(w, token)
	target := "/dashboard"
	if sess.User.Role.IsStaff() {
		target = "/console"
	}
	http.Redirect(w, r, web.LocalPath(r.PostForm.Get("next"), target), http.StatusSeeOther)
	return nil
}

// handleSignInMFASMS sends a text-message code for this sign-in.
func (s *Pages) handleSignInMFASMS(w http.ResponseWriter, r *http.Request, sess *accounts.Session) error {
	if _, err := s.Accounts.SendSignInCode(r.Context(), sess.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/signin/mfa?method=sms&sent=1", http.StatusSeeOther)
	return nil
}

// isFlowEnd reports the errors after which the pending sign-in is over.
func isFlowEnd(err error) bool {
	pe, ok := err.(*portal.Error)
	return ok && (pe.Message == accounts.ErrMFATooManyAttempts.Message || pe.Message == accounts.ErrMFAFlowExpired.Message)
}

// fieldOf attaches an error without fields to a form field.
func fieldOf(name string, err error) error {
	pe, ok := err.(*portal.Error)
	if !ok || len(pe.Fields) > 0 || pe.Code == portal.ERateLimited {
		return err
	}
	return &portal.Error{Code: pe.Code, Message: pe.Message, Data: pe.Data, Fields: []portal.FieldError{{Field: name, Message: pe.Message, Data: pe.Data}}}
}
