package accounts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// Profile returns the acting user's account.
func (s *Service) Profile(ctx context.Context, actor portal.Actor) (*portal.User, error) {
	return s.st.GetUser(ctx, actor.UserID)
}

// ProfileUpdate is the profile form: everything a candidate may change
// about themselves. Role, verification, email and the password have their
// own flows and are not here.
type ProfileUpdate struct {
	FirstName      string
	LastName       string
	Phone          string
	AddressLine1   string
	AddressLine2   string
	City           string
	PostalCode     string
	Country        string
	Region         string
	Company        string
	CompanyAddress string
	JobRole        string
	Industry       string
	Language       string
	NewsOptIn      bool
}

// Field limits of the profile.
const (
	maxAddressLen = 200
	maxShortLen   = 100
)

// UpdateProfile saves the profile. The legal name can change only until the
// first exam is on record; after that only a support request with
// documents changes it, and the server refuses here whatever the form sent.
func (s *Service) UpdateProfile(ctx context.Context, actor portal.Actor, req ProfileUpdate) (*portal.User, error) {
	user, err := s.st.GetUser(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	var v portal.Validation
	first := validateName(&v, "first_name", req.FirstName)
	last := validateName(&v, "last_name", req.LastName)
	if user.LegalNameLockedAt != nil && (first != user.FirstName || last != user.LastName) && !v.Has("first_name") && !v.Has("last_name") {
		v.Add("first_name", "profile.legal_name_locked", nil)
	}
	phone := ""
	if strings.TrimSpace(req.Phone) != "" {
		var ok bool
		if phone, ok = NormalizePhone(req.Phone); !ok {
			v.Add("phone", "field.phone_invalid", nil)
		}
	}
	country, region := validateCountryRegion(&v, req.Country, req.Region)
	if !s.languageSupported(req.Language) {
		v.Add("language", "field.language_invalid", nil)
	}
	text := func(field, value string, max int) string {
		value = strings.Join(strings.Fields(value), " ")
		if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
			v.Add(field, "field.invalid_utf8", nil)
		} else if utf8.RuneCountInString(value) > max {
			v.Add(field, "field.too_long", map[string]any{"Count": max})
		}
		return value
	}
	u := store.UserUpdate{
		Phone:          &phone,
		AddressLine1:   ptr(text("address_line1", req.AddressLine1, maxAddressLen)),
		AddressLine2:   ptr(text("address_line2", req.AddressLine2, maxAddressLen)),
		City:           ptr(text("city", req.City, maxShortLen)),
		PostalCode:     ptr(text("postal_code", req.PostalCode, 20)),
		Country:        &country,
		Region:         &region,
		Company:        ptr(text("company", req.Company, maxCompanyLen)),
		CompanyAddress: ptr(text("company_address", req.CompanyAddress, maxAddressLen)),
		JobRole:        ptr(text("job_role", req.JobRole, maxShortLen)),
		Industry:       ptr(text("industry", req.Industry, maxShortLen)),
		Language:       &req.Language,
		NewsOptIn:      &req.NewsOptIn,
	}
	if user.LegalNameLockedAt == nil {
		u.FirstName, u.LastName = &first, &last
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *portal.User
	err = s.st.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.LockUser(ctx, user.ID); err != nil {
			return err
		}
		before, err := tx.GetUser(ctx, user.ID)
		if err != nil {
			return err
		}
		if out, err = tx.UpdateUser(ctx, user.ID, u); err != nil {
			return err
		}
		detail := ""
		if out.FirstName != before.FirstName || out.LastName != before.LastName {
			detail = "legal name changed"
		}
		return audit(ctx, tx, actor, "account.profile_updated", userSubject(user.ID), detail, portal.Diff(before, out)...)
	})
	return out, err
}

func ptr(s string) *string { return &s }

// SessionInfo is one of the user's signed-in browsers.
type SessionInfo struct {
	ID         int64
	Current    bool
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// ListSessions lists the acting user's live sessions.
func (s *Service) ListSessions(ctx context.Context, actor portal.Actor, currentID int64) ([]SessionInfo, error) {
	list, err := s.st.ListUserSessions(ctx, actor.UserID, s.cfg.SessionIdle)
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(list))
	for _, x := range list {
		if x.State != portal.SessionActive {
			continue
		}
		out = append(out, SessionInfo{ID: x.ID, Current: x.ID == currentID, IP: x.IP, UserAgent: x.UserAgent, CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt})
	}
	return out, nil
}

// SignOutOtherSessions ends every session of the acting user but the
// current one.
func (s *Service) SignOutOtherSessions(ctx context.Context, actor portal.Actor, currentID int64) (int64, error) {
	var n int64
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.DeleteUserSessions(ctx, actor.UserID, currentID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "auth.signed_out_others", userSubject(actor.UserID), "")
	})
	return n, err
}

// LockLegalName records that the user's first exam is on record; the legal
// name then changes only through support. Scheduling calls it.
func (s *Service) LockLegalName(ctx context.Context, tx *store.Tx, userID int64) error {
	return tx.LockLegalName(ctx, userID)
}

// Preferences are the settings scheduling pages remember: the time zone
// online exam times are shown in and the unit of distances.
type Preferences struct {
	TimeZone     string // IANA name
	DistanceUnit string // "mi" or "km"
}

// UpdatePreferences saves the acting user's scheduling preferences. An
// empty field keeps its current value.
func (s *Service) UpdatePreferences(ctx context.Context, actor portal.Actor, p Preferences) (*portal.User, error) {
	var v portal.Validation
	var u store.UserUpdate
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" || !strings.Contains(p.TimeZone, "/") && p.TimeZone != "UTC" {
			v.Add("time_zone", "field.time_zone_invalid", nil)
		}
		u.TimeZone = &p.TimeZone
	}
	if p.DistanceUnit != "" {
		if p.DistanceUnit != "mi" && p.DistanceUnit != "km" {
			v.Add("unit", "field.unit_invalid", nil)
		}
		u.DistanceUnit = &p.DistanceUnit
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *portal.User
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.UpdateUser(ctx, actor.UserID, u)
		return err
	})
	return out, err
}
