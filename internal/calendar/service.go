package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
)

// settingKey is the app_settings row holding the calendar settings as JSON.
const settingKey = "calendar"

// stored is the JSON form of Settings.
type stored struct {
	TimeZone     string    `json:"time_zone"`
	BusinessDays []int     `json:"business_days"`
	Holidays     []Holiday `json:"holidays"`
}

// Service loads and changes the program's calendar settings.
type Service struct {
	st *store.Store
}

// NewService returns the service.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// Calendar is the program's calendar as saved now, for every caller.
func (s *Service) Calendar(ctx context.Context) (*Calendar, error) {
	set, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	return New(set)
}

// MayManage refuses unless actor may read and change the calendar
// settings (portal.PermSettingsManage).
func (s *Service) MayManage(actor portal.Actor) error {
	return actor.Authorize(portal.PermSettingsManage)
}

// Settings returns the saved settings, or the defaults.
func (s *Service) Settings(ctx context.Context, actor portal.Actor) (Settings, error) {
	if err := s.MayManage(actor); err != nil {
		return Settings{}, err
	}
	return s.load(ctx)
}

// Save sets the time zone and the business days; holidays stay.
func (s *Service) Save(ctx context.Context, actor portal.Actor, zone string, days []time.Weekday) (Settings, error) {
	return s.change(ctx, actor, func(cur *Settings) (string, string, error) {
		before := *cur
		cur.TimeZone, cur.BusinessDays = strings.TrimSpace(zone), days
		if err := Validate(cur); err != nil {
			return "", "", err
		}
		if len(portal.Diff(before, *cur)) == 0 {
			return "", "", nil
		}
		return "calendar.settings_changed", "", nil
	})
}

// AddHoliday adds a holiday, or renames the one on that date. Problems
// are on the fields "date" and "name".
func (s *Service) AddHoliday(ctx context.Context, actor portal.Actor, h Holiday) (Settings, error) {
	h.Date, h.Name = strings.TrimSpace(h.Date), strings.TrimSpace(h.Name)
	if t, err := time.Parse(DateLayout, h.Date); err != nil || t.Format(DateLayout) != h.Date {
		return Settings{}, &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
			Fields: []portal.FieldError{{Field: "date", Message: "calendar.error.holiday_date"}}}
	}
	if len([]rune(h.Name)) > MaxHolidayName {
		return Settings{}, &portal.Error{Code: portal.EInvalid, Message: "error.form_invalid",
			Fields: []portal.FieldError{{Field: "name", Message: "calendar.error.holiday_name",
				Data: map[string]any{"Count": MaxHolidayName}}}}
	}
	return s.change(ctx, actor, func(cur *Settings) (string, string, error) {
		i := slices.IndexFunc(cur.Holidays, func(o Holiday) bool { return o.Date == h.Date })
		if i >= 0 {
			if cur.Holidays[i].Name == h.Name {
				return "", "", nil
			}
			cur.Holidays[i].Name = h.Name
		} else {
			cur.Holidays = append(cur.Holidays, h)
		}
		if err := Validate(cur); err != nil {
			return "", "", err
		}
		return "calendar.holiday_added", h.Date + " " + h.Name, nil
	})
}

// RemoveHoliday removes the holiday on a date; an unknown date is
// portal.ErrNotFound.
func (s *Service) RemoveHoliday(ctx context.Context, actor portal.Actor, date string) (Settings, error) {
	return s.change(ctx, actor, func(cur *Settings) (string, string, error) {
		i := slices.IndexFunc(cur.Holidays, func(o Holiday) bool { return o.Date == date })
		if i < 0 {
			return "", "", portal.ErrNotFound
		}
		cur.Holidays = slices.Delete(cur.Holidays, i, i+1)
		return "calendar.holiday_removed", date, nil
	})
}

// ImportICS adds the all-day events of an iCalendar file as holidays
// (see ParseICS) and returns how many dates were new. Dates already listed
// keep their names. Nothing is saved when the file has a problem.
func (s *Service) ImportICS(ctx context.Context, actor portal.Actor, r io.Reader) (int, error) {
	if err := s.MayManage(actor); err != nil {
		return 0, err
	}
	hols, err := ParseICS(r)
	if err != nil {
		return 0, err
	}
	added := 0
	_, err = s.change(ctx, actor, func(cur *Settings) (string, string, error) {
		added = 0
		have := map[string]bool{}
		for _, h := range cur.Holidays {
			have[h.Date] = true
		}
		for _, h := range hols {
			if !have[h.Date] {
				have[h.Date] = true
				cur.Holidays = append(cur.Holidays, h)
				added++
			}
		}
		if added == 0 {
			return "", "", nil
		}
		if err := Validate(cur); err != nil {
			return "", "", moveToFile(err)
		}
		return "calendar.holidays_imported", "added " + strconv.Itoa(added), nil
	})
	return added, err
}

// moveToFile puts the problems of an import on the file field.
func moveToFile(err error) error {
	var pe *portal.Error
	if errors.As(err, &pe) {
		for i := range pe.Fields {
			pe.Fields[i].Field = "file"
		}
	}
	return err
}

// change runs one locked read-modify-write of the settings. edit returns
// the audit action and detail, or an empty action when nothing changed
// (then nothing is written). The audit event lists the audited fields of
// Settings that changed, with their values before and after.
func (s *Service) change(ctx context.Context, actor portal.Actor, edit func(*Settings) (string, string, error)) (Settings, error) {
	if err := s.MayManage(actor); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := s.st.Transact(ctx, func(tx *store.Tx) error {
		initial, err := encode(DefaultSettings())
		if err != nil {
			return err
		}
		raw, err := tx.LockSetting(ctx, settingKey, initial)
		if err != nil {
			return err
		}
		cur, err := decode(raw)
		if err != nil {
			return err
		}
		before := cur
		before.BusinessDays = slices.Clone(cur.BusinessDays)
		action, detail, err := edit(&cur)
		if err != nil || action == "" {
			out = cur
			return err
		}
		val, err := encode(cur)
		if err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, settingKey, val); err != nil {
			return err
		}
		out = cur
		return tx.Audit(ctx, actor, action, "calendar", detail, portal.Diff(before, cur))
	})
	if err != nil {
		return Settings{}, err
	}
	return out, nil
}

func (s *Service) load(ctx context.Context) (Settings, error) {
	raw, err := s.st.GetSetting(ctx, settingKey)
	if errors.Is(err, portal.ErrNotFound) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	return decode(raw)
}

func encode(s Settings) (string, error) {
	v := stored{TimeZone: s.TimeZone, Holidays: s.Holidays}
	for _, d := range s.BusinessDays {
		v.BusinessDays = append(v.BusinessDays, int(d))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("calendar: encode settings: %w", err)
	}
	return string(b), nil
}

func decode(raw string) (Settings, error) {
	var v stored
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return Settings{}, fmt.Errorf("calendar: decode settings: %w", err)
	}
	s := Settings{TimeZone: v.TimeZone, Holidays: v.Holidays}
	for _, d := range v.BusinessDays {
		s.BusinessDays = append(s.BusinessDays, time.Weekday(d))
	}
	return s, nil
}
