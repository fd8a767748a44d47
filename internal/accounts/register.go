package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// RegisterRequest is the registration form.
type RegisterRequest struct {
	Email     string
	FirstName string // as on the government ID
	LastName  string
	Password  string
	Country   string // ISO 3166-1 alpha-2
	Region    string // ISO 3166-2 code when the country has subdivisions
	Language  string
	Company   string // optional
}

const maxCompanyLen = 200

// Register creates a candidate account and mails a verification link. When
// the address already has an account, nothing is created and its owner is
// mailed instead; the caller sees the same outcome either way, so the form
// reveals nothing about which addresses have accounts.
func (s *Service) Register(ctx context.Context, meta RequestMeta, req RegisterRequest) error {
	var v portal.Validation
	email := validateEmail(&v, "email", req.Email)
	first := validateName(&v, "first_name", req.FirstName)
	last := validateName(&v, "last_name", req.LastName)
	country, region := validateCountryRegion(&v, req.Country, req.Region)
	lang := req.Language
	if !s.languageSupported(lang) {
		v.Add("language", "field.language_invalid", nil)
	}
	company := strings.TrimSpace(req.Company)
	if !utf8.ValidString(company) || utf8.RuneCountInString(company) > maxCompanyLen {
		v.Add("company", "field.too_long", map[string]any{"Count": maxCompanyLen})
	}
	s.checkPassword(&v, "password", req.Password, PasswordContext{ProgramName: s.cfg.ProgramName, FirstName: first, LastName: last, Email: email})
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.allow(ctx, LimitRegisterPerIP, meta.IP); err != nil {
		return err
	}
	// Hash before looking the address up, so both outcomes cost the same.
	hash, err := s.hasher.Hash(ctx, req.Password)
	if err != nil {
		return err
	}
	existing, err := s.st.FindUserByEmail(ctx, email)
	switch {
	case err == nil:
		return s.st.Transact(ctx, func(tx *store.Tx) error {
			if err := audit(ctx, tx, meta.actor(), "account.register_existing", userSubject(existing.ID), ""); err != nil {
				return err
			}
			return s.sendMail(ctx, tx, existing, existing.Email, "account_exists", map[string]any{
				"Link": s.cfg.BaseURL + "/signin", "ResetLink": s.cfg.BaseURL + "/password/forgot",
			})
		})
	case !errors.Is(err, portal.ErrNotFound):
		return err
	}
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		user, err := s.createUser(ctx, tx, store.UserCreate{
			Email: email, FirstName: first, LastName: last, Role: portal.RoleCandidate, Language: lang, PasswordHash: hash,
			Country: country, Region: region, Company: company,
		})
		if err != nil {
			return err
		}
		a := meta.actor()
		a.UserID = user.ID
		if err := audit(ctx, tx, a, "account.registered", userSubject(user.ID), ""); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, user)
	})
	if errors.Is(err, portal.ErrConflict) {
		return nil // registered concurrently with the same address: same outcome
	}
	if err != nil {
		return fmt.Errorf("accounts: register: %w", err)
	}
	s.kick()
	return nil
}
