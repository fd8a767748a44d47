package candidate

import (
	"net/http"

	"example.org/certportal/internal/accounts"
	"example.org/certportal/internal/geo"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/web"
)

// The signed-in user's own account: profile, security, password and email.

type profilePage struct {
	web.BasePage
	Form       *web.Form
	Account    *portal.User
	Countries  []geo.Country
	Region     regionChoice
	NameLocked bool
}

var profileFields = []string{"first_name", "last_name", "phone", "address_line1", "address_line2", "city", "postal_code",
	"country", "region", "company", "company_address", "job_role", "industry", "language", "news_opt_in"}

// CountryField, RegionField and LanguageField are the page's selects.
func (p *profilePage) CountryField() web.Field  { return countryField(p.T, p.Form, p.Countries) }
func (p *profilePage) RegionField() *web.Field  { return regionField(p.T, p.Form, p.Region) }
func (p *profilePage) LanguageField() web.Field { return languageField(p.T, p.Form, p.Languages) }

func (s *Pages) newProfilePage(r *http.Request, u *portal.User, f *web.Form) *profilePage {
	p := &profilePage{Form: f, Account: u, NameLocked: u.LegalNameLockedAt != nil}
	s.FillBase(r, &p.BasePage, "profile.title")
	p.Countries = geo.Countries(p.Lang)
	p.Region = newRegionChoice(f.Value("country"))
	return p
}

func (s *Pages) handleProfile(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Accounts.Profile(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	f := web.NewForm()
	for k, v := range map[string]string{
		"first_name": u.FirstName, "last_name": u.LastName, "phone": u.Phone, "address_line1": u.AddressLine1,
		"address_line2": u.AddressLine2, "city": u.City, "postal_code": u.PostalCode, "country": u.Country,
		"region": u.Region, "company": u.Company, "company_address": u.CompanyAddress, "job_role": u.JobRole,
		"industry": u.Industry, "language": u.Language,
	} {
		f.Values[k] = v
	}
	if u.NewsOptIn {
		f.Values["news_opt_in"] = "on"
	}
	return s.Render(w, r, http.StatusOK, "profile", s.newProfilePage(r, u, f))
}

func (s *Pages) handleProfileUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, profileFields...)
	if r.PostForm.Get("update") == regionUpdate {
		cur, err := s.Accounts.Profile(r.Context(), web.Actor(r))
		if err != nil {
			return err
		}
		return s.Render(w, r, http.StatusOK, "profile", s.newProfilePage(r, cur, f))
	}
	unseen := regionUnseen(r)
	_, err := s.Accounts.UpdateProfile(r.Context(), web.Actor(r), accounts.ProfileUpdate{
		FirstName: f.Value("first_name"), LastName: f.Value("last_name"), Phone: f.Value("phone"),
		AddressLine1: f.Value("address_line1"), AddressLine2: f.Value("address_line2"), City: f.Value("city"),
		PostalCode: f.Value("postal_code"), Country: f.Value("country"), Region: f.Value("region"),
		Company: f.Value("company"), CompanyAddress: f.Value("company_address"), JobRole: f.Value("job_role"),
		Industry: f.Value("industry"), Language: f.Value("language"), NewsOptIn: f.Value("news_opt_in") == "on",
	})
	if err != nil {
		cur, cerr := s.Accounts.Profile(r.Context(), web.Actor(r))
		if cerr != nil {
			return cerr
		}
		p := s.newProfilePage(r, cur, f)
		if unseen {
			p.Region.Prompt = true
			delete(f.Values, "region")
			if err = withoutRegionError(err); err == nil {
				return s.Render(w, r, http.StatusUnprocessableEntity, "profile", p)
			}
		}
		if !s.ApplyError(&p.BasePage, f, err, "first_name") {
			return err
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "profile", p)
	}
	http.Redirect(w, r, web.WithNotice("/profile", noticeProfileSaved), http.StatusSeeOther)
	return nil
}

func (s *Pages) handleSignOutOthers(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Accounts.SignOutOtherSessions(r.Context(), web.Actor(r), web.RequestSession(r).ID); err != nil {
		return err
	}
	http.Redirect(w, r, web.WithNotice("/profile/security", noticeOthersSignedOut), http.StatusSeeOther)
	return nil
}

type passwordPage struct {
	web.BasePage
	Form *web.Form
}

func (s *Pages) handlePasswordForm(w http.ResponseWriter, r *http.Request) error {
	p := &passwordPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "password.title")
	return s.Render(w, r, http.StatusOK, "password_change", p)
}

// handlePasswordChange needs the current password; every other session of
// the account ends before the answer.
func (s *Pages) handlePasswordChange(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	err := s.Accounts.ChangePassword(r.Context(), web.Actor(r), web.RequestSession(r).ID, accounts.PasswordChange{
		Current: r.PostForm.Get("current_password"), New: r.PostForm.Get("new_password"), Confirm: r.PostForm.Get("confirm"),
	})
	if err != nil {
		p := &passwordPage{Form: web.NewForm()}
		s.FillBase(r, &p.BasePage, "password.title")
		if !s.ApplyError(&p.BasePage, p.Form, err, "current_password") {
			return err
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "password_change", p)
	}
	http.Redirect(w, r, web.WithNotice("/profile/security", noticePasswordChanged), http.StatusSeeOther)
	return nil
}

type emailPage struct {
	web.BasePage
	Form *web.Form
}

func (s *Pages) handleEmailForm(w http.ResponseWriter, r *http.Request) error {
	p := &emailPage{Form: web.NewForm()}
	s.FillBase(r, &p.BasePage, "email.title")
	return s.Render(w, r, http.StatusOK, "email_change", p)
}

func (s *Pages) handleEmailChange(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := web.FormFrom(r, "new_email")
	err := s.Accounts.RequestEmailChange(r.Context(), web.Actor(r), accounts.EmailChange{
		NewEmail: f.Value("new_email"), CurrentPassword: r.PostForm.Get("current_password"),
	})
	if err != nil {
		p := &emailPage{Form: f}
		s.FillBase(r, &p.BasePage, "email.title")
		if !s.ApplyError(&p.BasePage, f, err, "new_email") {
			return err
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "email_change", p)
	}
	return s.message(w, r, http.StatusOK, "email.sent_title", "email.sent_text")
}

type emailConfirmPage struct {
	web.BasePage
	Token string
}

func (s *Pages) handleEmailConfirmForm(w http.ResponseWriter, r *http.Request) error {
	p := &emailConfirmPage{Token: r.PathValue("token")}
	s.FillBase(r, &p.BasePage, "email.confirm_title")
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.Render(w, r, http.StatusOK, "email_confirm", p)
}

func (s *Pages) handleEmailConfirm(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Accounts.ConfirmEmailChange(r.Context(), web.RequestMeta(r), r.PathValue("token")); err != nil {
		return err
	}
	target := web.WithNotice("/signin", noticeEmailChanged)
	if sess := web.RequestSession(r); sess != nil && sess.Active() {
		target = web.WithNotice("/profile", noticeEmailChanged)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
