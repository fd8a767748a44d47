package program

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// The app_settings rows: the settings as JSON, and the logo's PNG in
// base64 (kept apart so that reading the settings stays small).
const (
	settingKey = "program"
	logoKey    = "program.logo"
)

// CacheFor is how long an instance reuses the settings it read. A change
// made on another instance shows here at most this much later; the
// instance that made it shows it at once.
const CacheFor = 5 * time.Second

// stored is the JSON form of the settings. A nil support field has never
// been saved: the start-up configuration's value applies.
type stored struct {
	SupportEmail *string   `json:"support_email,omitempty"`
	SupportURL   *string   `json:"support_url,omitempty"`
	PaperSize    PaperSize `json:"paper_size,omitempty"`
	// LinkedInOrganizationID is the program's numeric organization ID on
	// LinkedIn; empty for none.
	LinkedInOrganizationID string `json:"linkedin_organization_id,omitempty"`
	Logo                   *Logo  `json:"logo,omitempty"`
}

// Service reads and changes the program settings.
type Service struct {
	st       *store.Store
	clock    portal.Clock
	defaults Defaults

	mu       sync.Mutex
	gen      uint64 // counts local changes, so a slow read cannot cache an old value
	have     bool
	cached   Settings
	cachedAt time.Time
	logo     []byte // the PNG whose tag is logoTag, as last read
	logoTag  string
}

// New returns the service; defaults are the start-up configuration's
// support contact.
func New(st *store.Store, clock portal.Clock, defaults Defaults) *Service {
	return &Service{st: st, clock: clock, defaults: defaults}
}

// Settings returns the settings for every caller, at most CacheFor old.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	now := s.clock.Now()
	s.mu.Lock()
	if s.have && !now.Before(s.cachedAt) && now.Sub(s.cachedAt) < CacheFor {
		v := s.cached
		s.mu.Unlock()
		return v, nil
	}
	gen := s.gen
	s.mu.Unlock()
	raw, err := s.st.GetSetting(ctx, settingKey)
	if err != nil && !errors.Is(err, portal.ErrNotFound) {
		return Settings{}, err
	}
	v, err := s.decode(raw)
	if err != nil {
		return Settings{}, err
	}
	set := s.settings(v)
	s.mu.Lock()
	if s.gen == gen {
		s.have, s.cached, s.cachedAt = true, set, now
	}
	s.mu.Unlock()
	return set, nil
}

// MayManage returns the refusal of actor.Authorize unless actor may change
// the settings.
func (s *Service) MayManage(actor portal.Actor) error {
	return actor.Authorize(portal.PermSettingsManage)
}

// Manage returns the settings as stored now, for the form that changes
// them.
func (s *Service) Manage(ctx context.Context, actor portal.Actor) (Settings, error) {
	if err := s.MayManage(actor); err != nil {
		return Settings{}, err
	}
	s.forget()
	return s.Settings(ctx)
}

// Logo returns the stored logo's PNG and its description, or
// portal.ErrNotFound when there is none.
func (s *Service) Logo(ctx context.Context) ([]byte, Logo, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return nil, Logo{}, err
	}
	if !set.HasLogo() {
		return nil, Logo{}, portal.ErrNotFound
	}
	s.mu.Lock()
	if s.logoTag == set.Logo.ETag {
		b := s.logo
		s.mu.Unlock()
		return b, set.Logo, nil
	}
	s.mu.Unlock()
	raw, err := s.st.GetSetting(ctx, logoKey)
	if err != nil {
		return nil, Logo{}, err
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, Logo{}, fmt.Errorf("program: decode logo: %w", err)
	}
	if len(b) == 0 {
		return nil, Logo{}, portal.ErrNotFound
	}
	// The row read may be newer than the cached settings: describe what
	// is served.
	info := set.Logo
	if tag := logoTag(b); tag != info.ETag {
		info = Logo{ETag: tag, Bytes: len(b)}
	}
	s.mu.Lock()
	s.logo, s.logoTag = b, info.ETag
	s.mu.Unlock()
	return b, info, nil
}

// Update saves the support contact, the paper size and the LinkedIn
// organization ID.
func (s *Service) Update(ctx context.Context, actor portal.Actor, u Update) (Settings, error) {
	if err := s.MayManage(actor); err != nil {
		return Settings{}, err
	}
	if err := u.normalize(); err != nil {
		return Settings{}, err
	}
	return s.change(ctx, actor, func(tx *store.Tx, cur *stored) (string, error) {
		before := s.settings(*cur)
		cur.SupportEmail, cur.SupportURL, cur.PaperSize = &u.SupportEmail, &u.SupportURL, u.PaperSize
		cur.LinkedInOrganizationID = u.LinkedInOrganizationID
		if len(portal.Diff(before, s.settings(*cur))) == 0 {
			return "", nil
		}
		return "program.settings_changed", nil
	})
}

// SetLogo stores an uploaded PNG or JPEG as the logo, re-encoded as a PNG
// (normalizeLogo). Problems are on the field "logo".
func (s *Service) SetLogo(ctx context.Context, actor portal.Actor, r io.Reader) (Settings, error) {
	if err := s.MayManage(actor); err != nil {
		return Settings{}, err
	}
	data, info, err := normalizeLogo(r)
	if err != nil {
		return Settings{}, err
	}
	return s.change(ctx, actor, func(tx *store.Tx, cur *stored) (string, error) {
		if cur.Logo != nil && cur.Logo.ETag == info.ETag {
			return "", nil
		}
		if err := tx.SetSetting(ctx, logoKey, base64.StdEncoding.EncodeToString(data)); err != nil {
			return "", err
		}
		cur.Logo = &info
		return "program.logo_set", nil
	})
}

// RemoveLogo removes the logo; without one nothing changes.
func (s *Service) RemoveLogo(ctx context.Context, actor portal.Actor) (Settings, error) {
	if err := s.MayManage(actor); err != nil {
		return Settings{}, err
	}
	return s.change(ctx, actor, func(tx *store.Tx, cur *stored) (string, error) {
		if cur.Logo == nil {
			return "", nil
		}
		if err := tx.DeleteSetting(ctx, logoKey); err != nil {
			return "", err
		}
		cur.Logo = nil
		return "program.logo_removed", nil
	})
}

// change runs one locked read-modify-write of the settings row. edit
// returns the audit action, or an empty action when nothing changed (then
// nothing is written). The audit event lists the fields of Settings that
// changed, before and after.
func (s *Service) change(ctx context.Context, actor portal.Actor, edit func(*store.Tx, *stored) (string, error)) (Settings, error) {
	var out Settings
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		raw, err := tx.LockSetting(ctx, settingKey, "{}")
		if err != nil {
			return err
		}
		cur, err := s.decode(raw)
		if err != nil {
			return err
		}
		before := s.settings(cur)
		action, err := edit(tx, &cur)
		if err != nil {
			return err
		}
		out = s.settings(cur)
		if action == "" {
			return nil
		}
		b, err := json.Marshal(cur)
		if err != nil {
			return fmt.Errorf("program: encode settings: %w", err)
		}
		if err := tx.SetSetting(ctx, settingKey, string(b)); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, action, "program", "", portal.Diff(before, out))
	})
	s.forget()
	if err != nil {
		return Settings{}, err
	}
	return out, nil
}

// forget drops the cached settings, so the next read sees the database.
func (s *Service) forget() {
	s.mu.Lock()
	s.gen++
	s.have = false
	s.mu.Unlock()
}

// decode reads the settings row; an empty one is the defaults.
func (s *Service) decode(raw string) (stored, error) {
	var v stored
	if raw == "" {
		return v, nil
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return stored{}, fmt.Errorf("program: decode settings: %w", err)
	}
	return v, nil
}

// settings fills in the defaults of what was never saved.
func (s *Service) settings(v stored) Settings {
	out := Settings{SupportEmail: s.defaults.SupportEmail, SupportURL: s.defaults.SupportURL, PaperSize: PaperA4}
	if v.SupportEmail != nil || v.SupportURL != nil {
		out.SupportEmail, out.SupportURL = deref(v.SupportEmail), deref(v.SupportURL)
	} else {
		out.SupportFromConfig = true
	}
	if v.PaperSize.Valid() {
		out.PaperSize = v.PaperSize
	}
	if v.Logo != nil {
		out.Logo = *v.Logo
	}
	out.LinkedInOrganizationID = v.LinkedInOrganizationID
	return out
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
