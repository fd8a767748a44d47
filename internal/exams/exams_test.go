package exams_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/store"
	"example.org/certportal/internal/testutil"
)

func validExam() portal.Exam {
	return portal.Exam{
		Code: "saa-c03", Name: "Solutions Architect", Level: portal.LevelAssociate, Kind: portal.KindExam,
		DurationMinutes: 130, Languages: "en", Delivery: portal.DeliveryTestCenter, PriceMinor: 15000, Currency: "USD",
		PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, RescheduleFeeMinor: 2500, ValidityMonths: 36, Active: true,
		Domains: []portal.ExamDomain{{Name: "Secure", WeightPercent: 30}, {Name: "Resilient", WeightPercent: 70}},
	}
}

var (
	admin     = testutil.StaffActor(1, time.Time{}, portal.SetAdmin)
	staff     = testutil.StaffActor(2, time.Time{}, portal.SetScheduler, portal.SetSupport)
	candidate = portal.Actor{UserID: 3, Role: portal.RoleCandidate}
	anonymous = portal.Actor{}
)

func newService(t *testing.T, engine string) (*exams.Service, *store.Store, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := testutil.MustOpenStore(t, engine, clock)
	return exams.New(st, clock, slog.New(slog.DiscardHandler)), st, clock
}

func mustCreate(t *testing.T, svc *exams.Service, e portal.Exam) *portal.Exam {
	t.Helper()
	out, err := svc.CreateExam(context.Background(), admin, e)
	if err != nil {
		t.Fatalf("create %s: %v", e.Code, err)
	}
	return out
}

func TestCatalog(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, _, _ := newService(t, engine)
		system := portal.SystemActor("test")

		e, err := svc.CreateExam(ctx, system, validExam())
		if err != nil {
			t.Fatal(err)
		}
		if e.Code != "SAA-C03" || len(e.Domains) != 2 || e.RescheduleFeeMinor != 2500 {
			t.Fatalf("created %+v", e)
		}
		retired := validExam()
		retired.Code, retired.Active, retired.Level = "OLD-C01", false, portal.LevelFoundational
		if _, err := svc.CreateExam(ctx, system, retired); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Code != "SAA-C03" || len(list[0].Domains) != 2 || list[0].Domains[1].WeightPercent != 70 {
			t.Fatalf("catalog = %+v; want only the active exam with its domains", list)
		}
		_, err = svc.CreateExam(ctx, system, validExam())
		var pe *portal.Error
		if !errors.Is(err, portal.ErrConflict) || !errors.As(err, &pe) || pe.Message != "exams.code_taken" ||
			len(pe.Fields) != 1 || pe.Fields[0].Field != "code" {
			t.Fatalf("duplicate code: err = %v, want exams.code_taken on code", err)
		}
	})
}

// fieldError reports whether err is invalid with message on field.
func fieldError(err error, field, message string) bool {
	var pe *portal.Error
	if !errors.As(err, &pe) || pe.Code != portal.EInvalid {
		return false
	}
	for _, f := range pe.Fields {
		if f.Field == field && f.Message == message {
			return true
		}
	}
	return false
}

func domains(weights ...int) []portal.ExamDomain {
	out := make([]portal.ExamDomain, len(weights))
	for i, w := range weights {
		out[i] = portal.ExamDomain{Name: "Domain " + string(rune('A'+i)), WeightPercent: w}
	}
	return out
}

func repeat(n, w int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = w
	}
	return out
}

// TestExamValidation: every rule refuses the values just outside it, on
// its field with its message, and the service saves nothing.
func TestExamValidation(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		svc, _, _ := newService(t, engine)
		ctx := context.Background()
		for _, tc := range []struct {
			name, field, message string
			edit                 func(*portal.Exam)
		}{
			{"bad code", "code", "exams.invalid_code", func(e *portal.Exam) { e.Code = "not a code" }},
			{"empty name", "name", "exams.invalid_name", func(e *portal.Exam) { e.Name = " " }},
			{"long name", "name", "exams.invalid_name", func(e *portal.Exam) { e.Name = strings.Repeat("é", 201) }},
			{"long description", "description", "exams.description_too_long", func(e *portal.Exam) { e.Description = strings.Repeat("d", 2001) }},
			{"level", "level", "exams.invalid_level", func(e *portal.Exam) { e.Level = "expert" }},
			{"kind", "kind", "exams.invalid_kind", func(e *portal.Exam) { e.Kind = "quiz" }},
			{"duration 0", "duration_minutes", "exams.invalid_duration", func(e *portal.Exam) { e.DurationMinutes = 0 }},
			{"duration 601", "duration_minutes", "exams.invalid_duration", func(e *portal.Exam) { e.DurationMinutes = 601 }},
			{"no languages", "languages", "exams.languages_required", func(e *portal.Exam) { e.Languages = " , " }},
			{"language word", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "en, english" }},
			{"language separator", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "en;es" }},
			{"language region", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "pt-BRA" }},
			{"language unknown", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "en,xx" }},
			{"language undetermined", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "und" }},
			{"language multiple", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "mul" }},
			{"language private use", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "qaa" }},
			{"language unknown region", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "en-ZZ" }},
			{"language unknown script", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "sr-Abcd" }},
			{"language extension", "languages", "exams.invalid_language_tag", func(e *portal.Exam) { e.Languages = "en-US-x-foo" }},
			{"too many languages", "languages", "exams.too_many_languages", func(e *portal.Exam) {
				e.Languages = "ar,bg,cs,da,de,el,en,es,et,fi,fr,ga,he,hi,hr,hu,id,it,ja,ko,lt,lv,mt,nl,pl,pt,ro,ru,sk,sl,sv"
			}},
			{"no delivery", "delivery", "exams.invalid_delivery", func(e *portal.Exam) { e.Delivery = "" }},
			{"unknown delivery", "delivery", "exams.invalid_delivery", func(e *portal.Exam) { e.Delivery = "test_center,mail" }},
			{"negative price", "price", "exams.invalid_price_range", func(e *portal.Exam) { e.PriceMinor, e.RescheduleFeeMinor = -1, 0 }},
			{"price too high", "price", "exams.invalid_price_range", func(e *portal.Exam) { e.PriceMinor = exams.MaxPriceMinor + 1 }},
			{"currency two letters", "currency", "exams.invalid_currency", func(e *portal.Exam) { e.Currency = "US" }},
			{"currency symbol", "currency", "exams.invalid_currency", func(e *portal.Exam) { e.Currency = "U$D" }},
			{"currency unknown", "currency", "exams.unknown_currency", func(e *portal.Exam) { e.Currency = "XYZ" }},
			{"currency none", "currency", "exams.unknown_currency", func(e *portal.Exam) { e.Currency = "XXX" }},
			{"currency test", "currency", "exams.unknown_currency", func(e *portal.Exam) { e.Currency = "XTS" }},
			{"currency gold", "currency", "exams.unknown_currency", func(e *portal.Exam) { e.Currency = "XAU" }},
			{"currency withdrawn", "currency", "exams.unknown_currency", func(e *portal.Exam) { e.Currency = "DEM" }},
			{"currency fund", "currency", "exams.unknown_currency", func(e *portal.Exam) { e.Currency = "USN" }},
			{"passing 99", "passing_score", "exams.invalid_passing_score", func(e *portal.Exam) { e.PassingScore = 99 }},
			{"passing 1001", "passing_score", "exams.invalid_passing_score", func(e *portal.Exam) { e.PassingScore = 1001 }},
			{"retake -1", "retake_wait_days", "exams.invalid_retake_wait", func(e *portal.Exam) { e.RetakeWaitDays = -1 }},
			{"retake 366", "retake_wait_days", "exams.invalid_retake_wait", func(e *portal.Exam) { e.RetakeWaitDays = 366 }},
			{"results delay -1", "results_delay_days", "exams.invalid_results_delay", func(e *portal.Exam) { e.ResultsDelayDays = -1 }},
			{"results delay 31", "results_delay_days", "exams.invalid_results_delay", func(e *portal.Exam) { e.ResultsDelayDays = 31 }},
			{"reschedules -1", "max_reschedules", "exams.invalid_max_reschedules", func(e *portal.Exam) { e.MaxReschedules = -1 }},
			{"reschedules 11", "max_reschedules", "exams.invalid_max_reschedules", func(e *portal.Exam) { e.MaxReschedules = 11 }},
			{"fee negative", "reschedule_fee", "exams.invalid_reschedule_fee", func(e *portal.Exam) { e.RescheduleFeeMinor = -1 }},
			{"fee above price", "reschedule_fee", "exams.invalid_reschedule_fee", func(e *portal.Exam) { e.RescheduleFeeMinor = e.PriceMinor + 1 }},
			{"fee above any price", "reschedule_fee", "exams.invalid_reschedule_fee", func(e *portal.Exam) {
				e.PriceMinor, e.RescheduleFeeMinor = -1, exams.MaxPriceMinor+1
			}},
			{"validity 0", "validity_months", "exams.invalid_validity", func(e *portal.Exam) { e.ValidityMonths = 0 }},
			{"validity 121", "validity_months", "exams.invalid_validity", func(e *portal.Exam) { e.ValidityMonths = 121 }},
			{"no domains", "domains", "exams.domain_count", func(e *portal.Exam) { e.Domains = nil }},
			{"21 domains", "domains", "exams.domain_count", func(e *portal.Exam) { e.Domains = domains(append(repeat(19, 5), 4, 1)...) }},
			{"domain without name", "domains", "exams.invalid_domain_name", func(e *portal.Exam) { e.Domains[1].Name = "  " }},
			{"domain name too long", "domains", "exams.invalid_domain_name", func(e *portal.Exam) { e.Domains[0].Name = strings.Repeat("n", 201) }},
			{"domain weight 0", "domains", "exams.invalid_domain_weight", func(e *portal.Exam) { e.Domains = domains(0, 100) }},
			{"domain weight 101", "domains", "exams.invalid_domain_weight", func(e *portal.Exam) { e.Domains = domains(101) }},
			{"weights 99", "domains", "exams.domain_weights", func(e *portal.Exam) { e.Domains = domains(30, 69) }},
			{"weights 101", "domains", "exams.domain_weights", func(e *portal.Exam) { e.Domains = domains(31, 70) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := validExam()
				tc.edit(&e)
				_, err := svc.CreateExam(ctx, admin, e)
				if !fieldError(err, tc.field, tc.message) {
					t.Errorf("err = %v, want %s on %s", err, tc.message, tc.field)
				}
			})
		}
		all, err := svc.ListAll(ctx, admin)
		if err != nil || len(all) != 0 {
			t.Fatalf("after refused exams the catalog has %d exams (err %v)", len(all), err)
		}
	})
}

// TestExamValidationAcceptsTheLimits: the values at each limit are
// accepted, and texts come back in their canonical form.
func TestExamValidationAcceptsTheLimits(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		svc, _, _ := newService(t, engine)
		for i, edit := range []func(*portal.Exam){
			func(e *portal.Exam) {
				e.DurationMinutes, e.PassingScore, e.RetakeWaitDays, e.MaxReschedules, e.ValidityMonths = 1, 100, 0, 0, 1
			},
			func(e *portal.Exam) {
				e.DurationMinutes, e.PassingScore, e.RetakeWaitDays, e.MaxReschedules, e.ValidityMonths = 600, 1000, 365, 10, 120
			},
			func(e *portal.Exam) { e.ResultsDelayDays = 0 },
			func(e *portal.Exam) { e.ResultsDelayDays = exams.MaxResultsDelayDays },
			func(e *portal.Exam) { e.PriceMinor, e.RescheduleFeeMinor = 0, 0 },
			func(e *portal.Exam) { e.PriceMinor, e.RescheduleFeeMinor = exams.MaxPriceMinor, exams.MaxPriceMinor },
			func(e *portal.Exam) { e.Domains = domains(repeat(20, 5)...) },
			func(e *portal.Exam) { e.Domains = domains(100) },
			func(e *portal.Exam) {
				e.Name, e.Description = strings.Repeat("é", 200), strings.Repeat("d", 2000)
				e.Domains = []portal.ExamDomain{{Name: strings.Repeat("n", 200), WeightPercent: 100}}
			},
			func(e *portal.Exam) { e.Currency, e.PriceMinor, e.RescheduleFeeMinor = "JPY", 20000, 3000 },
		} {
			e := validExam()
			e.Code = "LIM-" + string(rune('A'+i)) + "1"
			edit(&e)
			if _, err := svc.CreateExam(context.Background(), admin, e); err != nil {
				t.Errorf("case %d: %v", i, err)
			}
		}

		e := validExam()
		e.Languages, e.Delivery, e.Currency = "EN, pt-br ,, es-419,zh-hant-tw, en, eng, fil", "online, test_center", " eur "
		e.Name, e.Domains[0].Name = "  Spaced  ", " Secure "
		got := mustCreate(t, svc, e)
		if got.Languages != "en,pt-BR,es-419,zh-Hant-TW,fil" || got.Delivery != "test_center,online" || got.Currency != "EUR" ||
			got.Name != "Spaced" || got.Domains[0].Name != "Secure" || got.Domains[0].Position != 1 {
			t.Fatalf("normalised exam = %+v", got)
		}
	})
}

// TestExamPermissions: candidates and visitors read only the active
// catalog; staff read the whole catalog and change nothing; admins do
// everything.
func TestExamPermissions(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, _, _ := newService(t, engine)
		e := mustCreate(t, svc, validExam())

		for _, who := range []struct {
			name        string
			actor       portal.Actor
			read, write bool
		}{
			{"anonymous", anonymous, false, false},
			{"candidate", candidate, false, false},
			{"staff", staff, true, false},
			{"admin", admin, true, true},
			{"system", portal.SystemActor("test"), true, true},
		} {
			t.Run(who.name, func(t *testing.T) {
				check := func(what string, allowed bool, err error) {
					t.Helper()
					if allowed && err != nil {
						t.Errorf("%s: %v, want allowed", what, err)
					}
					want := portal.ErrForbidden
					if who.actor.UserID == 0 && !who.actor.IsSystem() {
						want = portal.ErrUnauthorized // a visitor is asked to sign in
					}
					if !allowed && !errors.Is(err, want) {
						t.Errorf("%s: err = %v, want %v", what, err, want)
					}
				}
				_, err := svc.ListAll(ctx, who.actor)
				check("ListAll", who.read, err)
				_, err = svc.Exam(ctx, who.actor, e.ID)
				check("Exam", who.read, err)
				check("MayManageExams", who.write, svc.MayManageExams(who.actor))
				n := validExam()
				n.Code = "PX-" + strings.ToUpper(who.name[:3])
				_, err = svc.CreateExam(ctx, who.actor, n)
				check("CreateExam", who.write, err)
				_, err = svc.UpdateExam(ctx, who.actor, e.ID, validExam())
				check("UpdateExam", who.write, err)
				_, err = svc.SetExamActive(ctx, who.actor, e.ID, true)
				check("SetExamActive", who.write, err)
			})
		}
		// Refused actors changed nothing.
		all, err := svc.ListAll(ctx, admin)
		if err != nil || len(all) != 3 { // the exam, and those of admin and system
			t.Fatalf("catalog after the permission checks: %d exams, err %v", len(all), err)
		}
	})
}

// TestUpdateExam: an update saves every field, replaces the domains, keeps
// the code and the active flag, and is audited with the fields it changed;
// a refused update saves nothing.
func TestUpdateExam(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st, clock := newService(t, engine)
		created := mustCreate(t, svc, validExam())
		clock.Advance(time.Hour)

		u := portal.Exam{
			Code: "HACK-01", Name: "Solutions Architect II", Description: "New text", Level: portal.LevelProfessional,
			Kind: portal.KindMicrocredential, DurationMinutes: 180, Languages: "en,ja", Delivery: "online",
			PriceMinor: 30000, Currency: "EUR", PassingScore: 750, RetakeWaitDays: 25, MaxReschedules: 3,
			RescheduleFeeMinor: 5000, ValidityMonths: 24, Active: false,
			Domains: []portal.ExamDomain{{Name: "Design", WeightPercent: 50}, {Name: "Build", WeightPercent: 25}, {Name: "Run", WeightPercent: 25}},
		}
		got, err := svc.UpdateExam(ctx, admin, created.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		read, err := svc.Exam(ctx, admin, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []*portal.Exam{got, read} {
			if e.Code != "SAA-C03" || !e.Active || e.Name != u.Name || e.Description != u.Description || e.Level != u.Level ||
				e.Kind != u.Kind || e.DurationMinutes != 180 || e.Languages != "en,ja" || e.Delivery != "online" ||
				e.PriceMinor != 30000 || e.Currency != "EUR" || e.PassingScore != 750 || e.RetakeWaitDays != 25 ||
				e.MaxReschedules != 3 || e.RescheduleFeeMinor != 5000 || e.ValidityMonths != 24 {
				t.Fatalf("updated exam = %+v", e)
			}
			if len(e.Domains) != 3 || e.Domains[0] != (portal.ExamDomain{Position: 1, Name: "Design", WeightPercent: 50}) ||
				e.Domains[2] != (portal.ExamDomain{Position: 3, Name: "Run", WeightPercent: 25}) {
				t.Fatalf("domains = %+v, want the three new ones", e.Domains)
			}
			if !e.UpdatedAt.After(created.UpdatedAt) {
				t.Errorf("updated_at %v not after %v", e.UpdatedAt, created.UpdatedAt)
			}
		}
		if cat, _ := svc.Catalog(ctx); len(cat) != 1 || len(cat[0].Domains) != 3 {
			t.Fatalf("catalog after update = %+v", cat)
		}

		// Refused: nothing changes, the domains included.
		bad := u
		bad.Domains = []portal.ExamDomain{{Name: "Only", WeightPercent: 100}}
		bad.RescheduleFeeMinor = bad.PriceMinor + 1
		if _, err := svc.UpdateExam(ctx, admin, created.ID, bad); !fieldError(err, "reschedule_fee", "exams.invalid_reschedule_fee") {
			t.Fatalf("fee above price: err = %v", err)
		}
		if again, _ := svc.Exam(ctx, admin, created.ID); len(again.Domains) != 3 || again.RescheduleFeeMinor != 5000 {
			t.Fatalf("a refused update changed the exam: %+v", again)
		}
		if _, err := svc.UpdateExam(ctx, admin, created.ID+100, u); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("unknown exam: err = %v", err)
		}

		events, _, err := st.ListAudit(ctx, portal.AuditFilter{Action: "catalog."})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 {
			t.Fatalf("audit = %+v, want created and updated", events)
		}
		upd := events[0]
		if events[1].Action == "catalog.exam_updated" {
			upd = events[1]
		}
		if upd.Action != "catalog.exam_updated" || upd.Subject != "exam:SAA-C03" || upd.ActorID != admin.UserID ||
			upd.IP != admin.IP || upd.RequestID != admin.RequestID {
			t.Fatalf("update audit = %+v", upd)
		}
		changed := map[string]bool{}
		for _, c := range upd.Changes {
			changed[c.Field] = true
		}
		if !changed["reschedule_fee_minor"] || !changed["domains"] || changed["code"] || changed["active"] {
			t.Fatalf("update audit changes = %+v", upd.Changes)
		}
	})
}

// TestUpdateExamAuditsBeforeAndAfter: the audit row of an edit lists
// exactly the fields that changed, each with its old and new value; an
// edit that changes nothing says so and lists none.
func TestUpdateExamAuditsBeforeAndAfter(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st, clock := newService(t, engine)
		created := mustCreate(t, svc, validExam())
		clock.Advance(time.Hour)

		u := validExam()
		u.PriceMinor, u.PassingScore, u.DurationMinutes, u.Name = 17500, 700, 150, "Solutions Architect – Associate"
		u.Domains = []portal.ExamDomain{{Name: "Secure", WeightPercent: 40}, {Name: "Resilient", WeightPercent: 60}}
		if _, err := svc.UpdateExam(ctx, admin, created.ID, u); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateExam(ctx, admin, created.ID, u); err != nil {
			t.Fatal(err)
		}
		events, _, err := st.ListAudit(ctx, portal.AuditFilter{Action: "catalog.exam_updated"})
		if err != nil || len(events) != 2 {
			t.Fatalf("audit = %+v, %v", events, err)
		}
		want := []portal.FieldChange{
			{Field: "name", Before: "Solutions Architect", After: "Solutions Architect – Associate"},
			{Field: "duration_minutes", Before: "130", After: "150"},
			{Field: "price_minor", Before: "15000", After: "17500"},
			{Field: "passing_score", Before: "720", After: "700"},
			{Field: "domains", Before: "Secure 30%, Resilient 70%", After: "Secure 40%, Resilient 60%"},
		}
		if first := events[1]; !reflect.DeepEqual(first.Changes, want) || first.Detail != "" || first.Subject != "exam:SAA-C03" {
			t.Fatalf("edit audit = %+v\nchanges %+v\nwant    %+v", first, first.Changes, want)
		}
		if again := events[0]; len(again.Changes) != 0 || again.Detail != "no changes" {
			t.Fatalf("unchanged edit audit = %+v", again)
		}

		if _, err := svc.SetExamActive(ctx, admin, created.ID, false); err != nil {
			t.Fatal(err)
		}
		retired, _, err := st.ListAudit(ctx, portal.AuditFilter{Action: "catalog.exam_retired"})
		if err != nil || len(retired) != 1 ||
			!reflect.DeepEqual(retired[0].Changes, []portal.FieldChange{{Field: "active", Before: "true", After: "false"}}) {
			for _, e := range retired {
				t.Logf("retire event %+v", *e)
			}
			t.Fatalf("retire audit: %d events, %v; want only active true -> false", len(retired), err)
		}
	})
}

// TestRetireExam: a retired exam leaves the public catalog but stays in
// the console; reactivating brings it back; each change is audited once.
func TestRetireExam(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		svc, st, _ := newService(t, engine)
		e := mustCreate(t, svc, validExam())
		other := validExam()
		other.Code = "DVA-C02"
		mustCreate(t, svc, other)

		got, err := svc.SetExamActive(ctx, admin, e.ID, false)
		if err != nil || got.Active {
			t.Fatalf("retire: %+v, %v", got, err)
		}
		// Retiring again changes nothing and is not audited twice.
		if _, err := svc.SetExamActive(ctx, admin, e.ID, false); err != nil {
			t.Fatal(err)
		}
		cat, err := svc.Catalog(ctx)
		if err != nil || len(cat) != 1 || cat[0].Code != "DVA-C02" {
			t.Fatalf("catalog after retiring = %+v, %v", cat, err)
		}
		if _, err := svc.ActiveExam(ctx, "SAA-C03"); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("ActiveExam of a retired exam: err = %v", err)
		}
		all, err := svc.ListAll(ctx, staff)
		if err != nil || len(all) != 2 {
			t.Fatalf("console list after retiring = %d exams, %v", len(all), err)
		}
		if read, err := svc.Exam(ctx, staff, e.ID); err != nil || read.Active || len(read.Domains) != 2 {
			t.Fatalf("retired exam in the console: %+v, %v", read, err)
		}

		if _, err := svc.SetExamActive(ctx, admin, e.ID, true); err != nil {
			t.Fatal(err)
		}
		if cat, _ := svc.Catalog(ctx); len(cat) != 2 {
			t.Fatalf("catalog after reactivating = %d exams", len(cat))
		}
		if _, err := svc.SetExamActive(ctx, admin, 9999, false); !errors.Is(err, portal.ErrNotFound) {
			t.Fatalf("unknown exam: err = %v", err)
		}

		for action, want := range map[string]int{"catalog.exam_retired": 1, "catalog.exam_activated": 1, "catalog.exam_created": 2} {
			events, _, err := st.ListAudit(ctx, portal.AuditFilter{Action: action})
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != want {
				t.Errorf("%s: %d events, want %d", action, len(events), want)
			}
			if action != "catalog.exam_created" && len(events) == 1 && events[0].Subject != "exam:SAA-C03" {
				t.Errorf("%s subject = %q", action, events[0].Subject)
			}
		}
	})
}
