package centers_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/centers"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

var (
	centerAdmin = portal.Actor{UserID: 1, Role: portal.RoleStaff, Permissions: portal.SetScheduler.Permissions(),
		SecondFactor: true, RequestID: "test"}
	centerStaff     = portal.Actor{UserID: 2, Role: portal.RoleStaff, Permissions: portal.SetSupport.Permissions(), SecondFactor: true}
	centerCandidate = portal.Actor{UserID: 3, Role: portal.RoleCandidate}
)

func newCenterService(t *testing.T, engine string) (*centers.Service, *store.Store) {
	t.Helper()
	st := testutil.MustOpenStore(t, engine, testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)))
	return centers.New(st, st.Clock(), slog.New(slog.DiscardHandler), centers.Config{}), st
}

func validCenter() portal.TestCenter {
	return portal.TestCenter{
		Code: " sea-01 ", Name: " Seattle Downtown ", AddressLine1: "1200 5th Ave", City: "Seattle", Region: "us-wa",
		PostalCode: "98101", Country: "us", Latitude: 47.6085, Longitude: -122.3331, TimeZone: "America/Los_Angeles",
		Seats: 24, Hours: "mon-fri 08:00-21:00; sat 09:00-17:00", Active: true,
	}
}

// fieldErrors returns field -> message of an invalid *portal.Error.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	return testutil.FieldErrors(t, err)
}

func TestValidateCenter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*portal.TestCenter)
		field   string // "" when valid
		message string
	}{
		{"valid", func(*portal.TestCenter) {}, "", ""},
		{"code with suffix of one", func(c *portal.TestCenter) { c.Code = "LONDON1-A" }, "", ""},
		{"code too short", func(c *portal.TestCenter) { c.Code = "S" }, "code", "centers.invalid_code"},
		{"code with space", func(c *portal.TestCenter) { c.Code = "SEA 01" }, "code", "centers.invalid_code"},
		{"code with two hyphens", func(c *portal.TestCenter) { c.Code = "SEA-01-B" }, "code", "centers.invalid_code"},
		{"code part too long", func(c *portal.TestCenter) { c.Code = "ABCDEFGHIJK" }, "code", "centers.invalid_code"},
		{"name empty", func(c *portal.TestCenter) { c.Name = "  " }, "name", "centers.invalid_name"},
		{"name 200 chars", func(c *portal.TestCenter) { c.Name = strings.Repeat("é", 200) }, "", ""},
		{"name 201 chars", func(c *portal.TestCenter) { c.Name = strings.Repeat("é", 201) }, "name", "centers.invalid_name"},
		{"address missing", func(c *portal.TestCenter) { c.AddressLine1 = " " }, "address_line1", "centers.address_required"},
		{"city missing", func(c *portal.TestCenter) { c.City = "" }, "city", "centers.city_required"},
		{"country unknown", func(c *portal.TestCenter) { c.Country = "XX" }, "country", "centers.invalid_country"},
		{"country empty", func(c *portal.TestCenter) { c.Country, c.Region = "", "" }, "country", "centers.invalid_country"},
		{"region of another country", func(c *portal.TestCenter) { c.Region = "ES-M" }, "region", "centers.invalid_region"},
		{"region unknown", func(c *portal.TestCenter) { c.Region = "US-ZZ" }, "region", "centers.invalid_region"},
		{"region optional", func(c *portal.TestCenter) { c.Region = "" }, "", ""},
		{"latitude too big", func(c *portal.TestCenter) { c.Latitude = 90.01 }, "latitude", "centers.invalid_latitude"},
		{"latitude too small", func(c *portal.TestCenter) { c.Latitude = -91 }, "latitude", "centers.invalid_latitude"},
		{"latitude not a number", func(c *portal.TestCenter) { c.Latitude = math.NaN() }, "latitude", "centers.invalid_latitude"},
		{"longitude too big", func(c *portal.TestCenter) { c.Longitude = 180.5 }, "longitude", "centers.invalid_longitude"},
		{"longitude too small", func(c *portal.TestCenter) { c.Longitude = -181 }, "longitude", "centers.invalid_longitude"},
		{"longitude edge", func(c *portal.TestCenter) { c.Longitude, c.Latitude = -180, 90 }, "", ""},
		{"time zone UTC", func(c *portal.TestCenter) { c.TimeZone = "UTC" }, "", ""},
		{"time zone unknown", func(c *portal.TestCenter) { c.TimeZone = "Mars/Olympus_Mons" }, "time_zone", "centers.invalid_time_zone"},
		{"time zone abbreviation", func(c *portal.TestCenter) { c.TimeZone = "EST" }, "time_zone", "centers.invalid_time_zone"},
		{"time zone Local", func(c *portal.TestCenter) { c.TimeZone = "Local" }, "time_zone", "centers.invalid_time_zone"},
		{"time zone empty", func(c *portal.TestCenter) { c.TimeZone = "" }, "time_zone", "centers.invalid_time_zone"},
		{"seats zero", func(c *portal.TestCenter) { c.Seats = 0 }, "seats", "centers.invalid_seats"},
		{"seats 500", func(c *portal.TestCenter) { c.Seats = 500 }, "", ""},
		{"seats 501", func(c *portal.TestCenter) { c.Seats = 501 }, "seats", "centers.invalid_seats"},
		{"hours unreadable", func(c *portal.TestCenter) { c.Hours = "weekdays 9-5" }, "hours", "centers.invalid_hours"},
		{"hours empty", func(c *portal.TestCenter) { c.Hours = "" }, "hours", "centers.invalid_hours"},
		{"hours closing first", func(c *portal.TestCenter) { c.Hours = "mon 17:00-09:00" }, "hours", "centers.invalid_hours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validCenter()
			tc.edit(&c)
			err := centers.ValidateCenter(&c)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			got := fieldErrors(t, err)
			if len(got) != 1 || got[tc.field] != tc.message {
				t.Fatalf("field errors = %v, want only %s: %s", got, tc.field, tc.message)
			}
		})
	}
}

func TestValidateCenterNormalises(t *testing.T) {
	c := validCenter()
	if err := centers.ValidateCenter(&c); err != nil {
		t.Fatal(err)
	}
	if c.Code != "SEA-01" || c.Country != "US" || c.Region != "US-WA" || c.Name != "Seattle Downtown" {
		t.Fatalf("normalised = %q %q %q %q", c.Code, c.Country, c.Region, c.Name)
	}
	c.Hours = "mon 9:00"
	var pe *portal.Error
	if err := centers.ValidateCenter(&c); !errors.As(err, &pe) || pe.Fields[0].Data["Detail"] == "" {
		t.Fatalf("hours error carries no detail: %v", err)
	}
}

func TestCreateAndUpdateCenter(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newCenterService(t, engine)

		for _, a := range []portal.Actor{centerStaff, centerCandidate} {
			if _, err := svc.CreateCenter(ctx, a, validCenter()); !errors.Is(err, portal.ErrForbidden) {
				t.Fatalf("%s creating a center: err = %v, want forbidden", a.Role, err)
			}
		}
		c, err := svc.CreateCenter(ctx, centerAdmin, validCenter())
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Code != "SEA-01" || c.Country != "US" || !c.Active {
			t.Fatalf("created %+v", c)
		}

		dup := validCenter()
		dup.Name = "Another"
		_, err = svc.CreateCenter(ctx, centerAdmin, dup)
		if !errors.Is(err, portal.ErrConflict) || fieldErrors(t, err)["code"] != "centers.code_taken" {
			t.Fatalf("duplicate code: err = %v, want a conflict on code", err)
		}

		other := validCenter()
		other.Code, other.Country, other.Region, other.City, other.TimeZone = "MAD-01", "ES", "ES-M", "Madrid", "Europe/Madrid"
		if _, err := svc.CreateCenter(ctx, centerAdmin, other); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Centers(ctx, store.CenterFilter{Country: "es"})
		if err != nil || len(list) != 1 || list[0].Code != "MAD-01" {
			t.Fatalf("centers in ES = %v, %v", list, err)
		}

		edit := *c
		edit.Code, edit.Name, edit.Seats, edit.Active = "NEW-01", "Seattle Center", 30, false
		if _, err := svc.UpdateCenter(ctx, centerStaff, edit); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("staff updating: err = %v", err)
		}
		got, err := svc.UpdateCenter(ctx, centerAdmin, edit)
		if err != nil {
			t.Fatal(err)
		}
		if got.Code != "SEA-01" || got.Name != "Seattle Center" || got.Seats != 30 || got.Active {
			t.Fatalf("updated %+v; want the new fields and the old code", got)
		}
		again, err := svc.Center(ctx, c.ID)
		if err != nil || again.Name != "Seattle Center" {
			t.Fatalf("Center = %+v, %v", again, err)
		}
		edit.Seats = 0
		if _, err := svc.UpdateCenter(ctx, centerAdmin, edit); fieldErrors(t, err)["seats"] != "centers.invalid_seats" {
			t.Fatalf("invalid update: err = %v", err)
		}
		edit.ID = 9999
		if _, err := svc.UpdateCenter(ctx, centerAdmin, edit); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("unknown center: err = %v", err)
		}
		if _, err := svc.Center(ctx, 9999); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("Center(9999): err = %v", err)
		}

		wantAudit(t, st, "scheduling.center_created", "center:SEA-01", 1)
		wantAudit(t, st, "scheduling.center_updated", "center:SEA-01", 1)
		// The edit records what changed, old and new; the code did not.
		events, _, err := st.ListAudit(ctx, portal.AuditFilter{Action: "scheduling.center_updated", Subject: "center:SEA-01"})
		if err != nil {
			t.Fatal(err)
		}
		changed := map[string]string{}
		for _, ch := range events[0].Changes {
			changed[ch.Field] = ch.Before + " -> " + ch.After
		}
		if len(changed) != 3 || changed["seats"] != strconv.Itoa(c.Seats)+" -> 30" || changed["active"] != "true -> false" ||
			changed["name"] != c.Name+" -> Seattle Center" {
			t.Fatalf("center edit audited %v", changed)
		}
	})
}

func wantAudit(t *testing.T, st *store.Store, action, subject string, n int) {
	t.Helper()
	events, _, err := st.ListAudit(context.Background(), portal.AuditFilter{Action: action, Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != n {
		t.Fatalf("audit %s %s: %d events, want %d", action, subject, len(events), n)
	}
}

const centersHeader = "code,name,address_line1,address_line2,city,region,postal_code,country,latitude,longitude,time_zone,seats,hours,active\n"

func importCSV(t *testing.T, svc *centers.Service, csv string) *centers.ImportReport {
	t.Helper()
	rep, err := svc.ImportCenters(context.Background(), centerAdmin, strings.NewReader(csv))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

func mustCenters(t *testing.T, svc *centers.Service) map[string]*portal.TestCenter {
	t.Helper()
	list, err := svc.Centers(context.Background(), store.CenterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*portal.TestCenter{}
	for _, c := range list {
		out[c.Code] = c
	}
	return out
}

// rowErrors renders a report's errors as "line:field:message" for
// comparison.
func rowErrors(rep *centers.ImportReport) []string {
	var out []string
	for _, e := range rep.Errors {
		out = append(out, fmt.Sprintf("%d:%s:%s", e.Line, e.Field, e.Message))
	}
	return out
}

func TestImportCenters(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st := newCenterService(t, engine)
		if _, err := svc.CreateCenter(ctx, centerAdmin, validCenter()); err != nil {
			t.Fatal(err)
		}

		// Columns in another order, optional ones left out; SEA-01 exists
		// (updated), LON-01 is new (created).
		rep := importCSV(t, svc, "name,code,address_line1,city,country,latitude,longitude,time_zone,seats,hours\n"+
			`Seattle Renamed,sea-01,1 Pine St,Seattle,US,47.61,-122.33,America/Los_Angeles,40,mon-sat 08:00-20:00`+"\n"+
			`London Bridge,LON-01,"1 London Bridge St, floor 3",London,gb,51.5045,-0.0865,Europe/London,12,"mon-fri 09:00-18:00"`+"\n")
		if len(rep.Errors) > 0 || rep.Rows != 2 || rep.Created != 1 || rep.Updated != 1 {
			t.Fatalf("report = %+v", rep)
		}
		got := mustCenters(t, svc)
		sea, lon := got["SEA-01"], got["LON-01"]
		if sea == nil || sea.Name != "Seattle Renamed" || sea.Seats != 40 || sea.PostalCode != "98101" || sea.Region != "US-WA" || !sea.Active {
			t.Fatalf("SEA-01 after import = %+v; want new fields and kept postal code and region", sea)
		}
		if lon == nil || lon.AddressLine1 != "1 London Bridge St, floor 3" || lon.Country != "GB" || !lon.Active || lon.TimeZone != "Europe/London" {
			t.Fatalf("LON-01 after import = %+v", lon)
		}
		wantAudit(t, st, "scheduling.center_created", "center:LON-01", 1)
		wantAudit(t, st, "scheduling.center_updated", "center:SEA-01", 1)

		// An explicit active column deactivates, and empty cells clear
		// optional text.
		rep = importCSV(t, svc, centersHeader+
			`SEA-01,Seattle Renamed,1 Pine St,,Seattle,,,US,47.61,-122.33,America/Los_Angeles,40,mon-sat 08:00-20:00,no`+"\n")
		if len(rep.Errors) > 0 || rep.Updated != 1 {
			t.Fatalf("report = %+v", rep)
		}
		if sea := mustCenters(t, svc)["SEA-01"]; sea.Active || sea.PostalCode != "" || sea.Region != "" {
			t.Fatalf("SEA-01 = %+v; want inactive with postal code and region cleared", sea)
		}

		if _, err := svc.ImportCenters(ctx, centerStaff, strings.NewReader(centersHeader)); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("staff importing: err = %v", err)
		}
	})
}

func TestImportCentersIsAllOrNothing(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		svc, _ := newCenterService(t, engine)
		rep := importCSV(t, svc, centersHeader+
			`AAA-01,Good One,1 Main St,,Boston,US-MA,02108,US,42.35,-71.06,America/New_York,20,mon-fri 08:00-18:00,true`+"\n"+
			`BBB-01,Bad Seats,2 Main St,,Boston,,,US,42.35,-71.06,America/New_York,900,mon-fri 08:00-18:00,`+"\n"+
			`CCC-01,Good Two,3 Main St,,Boston,,,US,42.35,-71.06,America/New_York,20,mon-fri 08:00-18:00,1`+"\n")
		if want := []string{"3:seats:centers.invalid_seats"}; !slices.Equal(rowErrors(rep), want) {
			t.Fatalf("errors = %v, want %v", rowErrors(rep), want)
		}
		if rep.Errors[0].Code != "BBB-01" || rep.Created != 0 || rep.Updated != 0 {
			t.Fatalf("report = %+v", rep)
		}
		if got := mustCenters(t, svc); len(got) != 0 {
			t.Fatalf("saved %d centers from a file with an error", len(got))
		}

		// Every problem of every row is reported, on its line.
		rep = importCSV(t, svc, centersHeader+
			`x,,1 Main St,,Boston,,,US,95,-71.06,Boston,20,mon-fri 08:00-18:00,maybe`+"\n"+
			`DDD-01,Bad Hours,1 Main St,,Boston,,,ZZ,42.35,-71.06,America/New_York,20,"mon-fri 08:00 to 18:00",true`+"\n"+
			`EEE-01,Short Row,1 Main St`+"\n")
		want := []string{
			"2:code:centers.invalid_code", "2:name:centers.invalid_name", "2:latitude:centers.invalid_latitude",
			"2:time_zone:centers.invalid_time_zone", "2:active:centers.import.invalid_active",
			"3:country:centers.invalid_country", "3:hours:centers.invalid_hours",
			"4::centers.import.column_count",
		}
		if !slices.Equal(rowErrors(rep), want) {
			t.Fatalf("errors = %v, want %v", rowErrors(rep), want)
		}
		if got := mustCenters(t, svc); len(got) != 0 {
			t.Fatalf("saved %d centers from a file with errors", len(got))
		}
	})
}

func TestImportCentersFileProblems(t *testing.T) {
	row := func(code string) string {
		return code + `,Center,1 Main St,,Boston,,,US,42.35,-71.06,America/New_York,20,mon-fri 08:00-18:00,true` + "\n"
	}
	for _, tc := range []struct {
		name string
		csv  string
		want []string
		data map[string]any // of the first error, when checked
	}{
		{"duplicate codes", centersHeader + row("AAA-01") + row("BBB-01") + row("aaa-01"),
			[]string{"4:code:centers.import.duplicate_code"}, map[string]any{"Line": 2}},
		{"missing column", "code,name,address_line1,city,country,latitude,longitude,time_zone,hours\n" + row("AAA-01"),
			[]string{"1::centers.import.bad_header"}, map[string]any{"Missing": "seats", "Unknown": "", "Repeated": ""}},
		{"unknown and repeated columns", strings.TrimSuffix(centersHeader, "\n") + ",capacity,code\n",
			[]string{"1::centers.import.bad_header"}, map[string]any{"Missing": "", "Unknown": "capacity", "Repeated": "code"}},
		{"empty file", "", []string{"1::centers.import.empty"}, nil},
		{"header only", centersHeader, []string{"2::centers.import.no_rows"}, nil},
		{"bad quotes", centersHeader + row("AAA-01") + `BBB-01,"Broken "quote",x` + "\n" + row("CCC-01"),
			[]string{"3::centers.import.malformed"}, nil},
		{"not UTF-8", centersHeader + row("AAA-01") + "BBB-01,Caf\xe9,1 Main St,,Boston,,,US,42.35,-71.06,America/New_York,20,mon 09:00-17:00,true\n",
			[]string{"3:name:centers.import.not_utf8"}, nil},
		{"too many rows", centersHeader + strings.Repeat(row("AAA-01"), centers.MaxImportRows+1),
			[]string{fmt.Sprintf("%d::centers.import.too_many_rows", centers.MaxImportRows+2)}, map[string]any{"Count": centers.MaxImportRows}},
		{"too large", centersHeader + strings.Repeat(" ", centers.MaxImportBytes),
			[]string{"1::centers.import.too_large"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, _ := newCenterService(t, store.SQLite)
			rep := importCSV(t, svc, tc.csv)
			if !slices.Equal(rowErrors(rep), tc.want) {
				t.Fatalf("errors = %v, want %v", rowErrors(rep), tc.want)
			}
			for k, v := range tc.data {
				if got := rep.Errors[0].Data[k]; got != v {
					t.Errorf("data %s = %#v, want %#v", k, got, v)
				}
			}
			if got := mustCenters(t, svc); len(got) != 0 {
				t.Fatalf("saved %d centers", len(got))
			}
		})
	}
}

func TestImportCentersBOMAndExample(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		svc, _ := newCenterService(t, engine)
		// The example file, saved by a spreadsheet with a byte order mark
		// and CRLF line ends.
		csv := "\uFEFF" + strings.ReplaceAll(centers.ExampleCentersCSV, "\n", "\r\n")
		rep := importCSV(t, svc, csv)
		if len(rep.Errors) > 0 || rep.Created != 2 {
			t.Fatalf("report = %+v", rep)
		}
		got := mustCenters(t, svc)
		if got["SEA-01"] == nil || got["MAD-01"] == nil || got["MAD-01"].Name != "Centro de Exámenes Madrid" {
			t.Fatalf("centers = %v", got)
		}
	})
}

// TestCenterMessagesExist: every message ID the center code and pages
// name is in the English and the Spanish catalog.
func TestCenterMessagesExist(t *testing.T) {
	ids := testutil.MessageIDs(t, regexp.MustCompile(`"((?:centers|nav|notice|field)\.[a-z0-9_.]+)"`),
		"centers.go", "../web/console/centers.go", "../web/console/templates/console_centers.html",
		"../web/console/templates/console_center.html", "../web/console/templates/console_centers_import.html")
	spanish := func(id string) bool { return strings.HasPrefix(id, "centers.") }
	if n := testutil.CheckMessages(t, ids, spanish); n < 40 {
		t.Fatalf("found only %d message IDs; is the pattern right?", n)
	}
}
