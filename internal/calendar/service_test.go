package calendar_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"example.org/certportal/internal/calendar"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var (
	admin     = testutil.StaffActor(1, time.Time{}, portal.SetAdmin)
	staff     = testutil.StaffActor(2, time.Time{}, portal.SetScheduler, portal.SetSupport)
	candidate = portal.Actor{UserID: 3, Role: portal.RoleCandidate}
)

func newService(t *testing.T, engine string) (*calendar.Service, *store.Store) {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := testutil.MustOpenStore(t, engine, clock)
	return calendar.NewService(st), st
}

func auditActions(t *testing.T, st *store.Store) []string {
	t.Helper()
	events, _, err := st.ListAudit(context.Background(), portal.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if strings.HasPrefix(e.Action, "calendar.") {
			out = append(out, e.Action)
		}
	}
	return out
}

const christmasICS = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:Navidad\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:Year end\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestServiceOnlyAdminsChangeTheCalendar(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newService(t, engine)
		for _, who := range []portal.Actor{staff, candidate, {}} {
			calls := map[string]error{}
			_, calls["settings"] = svc.Settings(ctx, who)
			_, calls["save"] = svc.Save(ctx, who, "Europe/Madrid", []time.Weekday{time.Monday})
			_, calls["add"] = svc.AddHoliday(ctx, who, calendar.Holiday{Date: "2026-12-25"})
			_, calls["remove"] = svc.RemoveHoliday(ctx, who, "2026-12-25")
			_, calls["import"] = svc.ImportICS(ctx, who, strings.NewReader(christmasICS))
			for name, err := range calls {
				want := portal.ErrForbidden
				if who.UserID == 0 {
					want = portal.ErrUnauthorized // a visitor is asked to sign in
				}
				if !errors.Is(err, want) {
					t.Errorf("%s as %q: err = %v, want %v", name, who.Role, err, want)
				}
			}
		}
		if got := auditActions(t, st); len(got) != 0 {
			t.Errorf("audit = %v, want nothing", got)
		}
	})
}

func TestServiceSavesAndAnswers(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newService(t, engine)

		set, err := svc.Settings(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if set.TimeZone != "UTC" || len(set.BusinessDays) != 5 || len(set.Holidays) != 0 {
			t.Fatalf("defaults = %+v", set)
		}
		if _, err := svc.Save(ctx, admin, "Mars/Base", nil); portal.ErrorCode(err) != portal.EInvalid {
			t.Fatalf("invalid save: err = %v", err)
		}
		if _, err := svc.Save(ctx, admin, "Asia/Dubai", []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddHoliday(ctx, admin, calendar.Holiday{Date: "2026-12-02", Name: "National Day"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddHoliday(ctx, admin, calendar.Holiday{Date: "2026-13-01"}); portal.ErrorCode(err) != portal.EInvalid {
			t.Fatalf("bad date: err = %v", err)
		}
		if _, err := svc.RemoveHoliday(ctx, admin, "2026-01-01"); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("remove unknown: err = %v", err)
		}

		cal, err := svc.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			utc  string
			want bool
		}{
			{"2026-12-01T10:00:00Z", true},  // Tuesday
			{"2026-12-02T10:00:00Z", false}, // the holiday
			{"2026-12-04T10:00:00Z", false}, // Friday, not a business day here
			{"2026-12-06T10:00:00Z", true},  // Sunday, a business day here
		}
		for _, tt := range tests {
			v, _ := time.Parse(time.RFC3339, tt.utc)
			if got := cal.IsBusinessDay(v); got != tt.want {
				t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.utc, got, tt.want)
			}
		}

		if _, err := svc.RemoveHoliday(ctx, admin, "2026-12-02"); err != nil {
			t.Fatal(err)
		}
		got := auditActions(t, st)
		want := []string{"calendar.holiday_removed", "calendar.holiday_added", "calendar.settings_changed"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("audit = %v, want %v", got, want)
		}
	})
}

func TestServiceImportsICS(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newService(t, engine)
		if _, err := svc.AddHoliday(ctx, admin, calendar.Holiday{Date: "2026-12-25", Name: "Christmas"}); err != nil {
			t.Fatal(err)
		}
		added, err := svc.ImportICS(ctx, admin, strings.NewReader(christmasICS))
		if err != nil || added != 2 {
			t.Fatalf("import: added %d, err %v; want 2", added, err)
		}
		added, err = svc.ImportICS(ctx, admin, strings.NewReader(christmasICS))
		if err != nil || added != 0 {
			t.Fatalf("second import: added %d, err %v; want 0", added, err)
		}
		if _, err := svc.ImportICS(ctx, admin, strings.NewReader("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270106\nEND:VEVENT\nBEGIN:VEVENT\nDTSTART:20270107T100000Z\nEND:VEVENT\nEND:VCALENDAR\n")); portal.ErrorCode(err) != portal.EInvalid {
			t.Fatalf("bad file: err = %v", err)
		}
		set, err := svc.Settings(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range set.Holidays {
			got = append(got, h.Date+" "+h.Name)
		}
		want := []string{"2026-12-25 Christmas", "2026-12-31 Year end", "2027-01-01 Year end"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("holidays = %q, want %q", got, want)
		}
		if got := auditActions(t, st); fmt.Sprint(got) != "[calendar.holidays_imported calendar.holiday_added]" {
			t.Errorf("audit = %v", got)
		}
	})
}

// Admins adding holidays at the same moment keep every one of them.
func TestServiceConcurrentChangesKeepEveryHoliday(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, _ := newService(t, engine)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.AddHoliday(ctx, admin, calendar.Holiday{Date: fmt.Sprintf("2027-03-%02d", i+1)})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		set, err := svc.Settings(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.Holidays) != n {
			t.Errorf("holidays = %d, want %d", len(set.Holidays), n)
		}
	})
}

// TestServiceAuditsSettingsBeforeAndAfter: a settings change is audited
// with the time zone and business days before and after; saving the same
// settings again writes nothing, and holiday changes list no settings field.
func TestServiceAuditsSettingsBeforeAndAfter(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newService(t, engine)
		days := []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday}
		for range 2 {
			if _, err := svc.Save(ctx, admin, "Asia/Dubai", days); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.AddHoliday(ctx, admin, calendar.Holiday{Date: "2026-12-02", Name: "National Day"}); err != nil {
			t.Fatal(err)
		}
		events, _, err := st.ListAudit(ctx, portal.AuditFilter{Action: "calendar."})
		if err != nil || len(events) != 2 {
			t.Fatalf("audit = %+v, %v", events, err)
		}
		saved, added := events[1], events[0]
		want := []portal.FieldChange{
			{Field: "time_zone", Before: "UTC", After: "Asia/Dubai"},
			{Field: "business_days", Before: "Monday, Tuesday, Wednesday, Thursday, Friday", After: "Sunday, Monday, Tuesday, Wednesday, Thursday"},
		}
		if saved.Action != "calendar.settings_changed" || saved.Detail != "" || fmt.Sprint(saved.Changes) != fmt.Sprint(want) {
			t.Fatalf("settings audit = %+v\nchanges %+v\nwant    %+v", saved, saved.Changes, want)
		}
		if added.Action != "calendar.holiday_added" || added.Detail != "2026-12-02 National Day" || len(added.Changes) != 0 {
			t.Fatalf("holiday audit = %+v", added)
		}
	})
}
