package exams_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"example.org/certportal/internal/exams"
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/testutil"
)

func validExam() portal.Exam {
	return portal.Exam{
		Code: "saa-c03", Name: "Solutions Architect", Level: portal.LevelAssociate, Kind: portal.KindExam,
		DurationMinutes: 130, Languages: "en", Delivery: portal.DeliveryTestCenter, PriceMinor: 15000, Currency: "USD",
		PassingScore: 720, RetakeWaitDays: 14, MaxReschedules: 2, ValidityMonths: 36, Active: true,
		Domains: []portal.ExamDomain{{Name: "Secure", WeightPercent: 30}, {Name: "Resilient", WeightPercent: 70}},
	}
}

func TestCatalog(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		st := testutil.MustOpenStore(t, engine, testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)))
		svc := exams.New(st, st.Clock(), slog.New(slog.DiscardHandler))
		system := portal.SystemActor("test")

		e, err := svc.CreateExam(ctx, system, validExam())
		if err != nil {
			t.Fatal(err)
		}
		if e.Code != "SAA-C03" || len(e.Domains) != 2 {
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
		if _, err := svc.CreateExam(ctx, system, validExam()); !errors.Is(err, portal.ErrConflict) {
			t.Fatalf("duplicate code: err = %v", err)
		}
		if _, err := svc.CreateExam(ctx, portal.Actor{UserID: 7, Role: portal.RoleCandidate}, validExam()); !errors.Is(err, portal.ErrForbidden) {
			t.Fatalf("candidate creating an exam: err = %v", err)
		}
	})
}

func TestExamValidation(t *testing.T) {
	st := testutil.MustOpenStore(t, "sqlite", nil)
	svc := exams.New(st, st.Clock(), slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		field string
		edit  func(*portal.Exam)
	}{
		{"code", func(e *portal.Exam) { e.Code = "not a code" }},
		{"name", func(e *portal.Exam) { e.Name = " " }},
		{"level", func(e *portal.Exam) { e.Level = "expert" }},
		{"kind", func(e *portal.Exam) { e.Kind = "quiz" }},
		{"duration_minutes", func(e *portal.Exam) { e.DurationMinutes = 0 }},
		{"price", func(e *portal.Exam) { e.PriceMinor = -1 }},
		{"currency", func(e *portal.Exam) { e.Currency = "usd" }},
		{"passing_score", func(e *portal.Exam) { e.PassingScore = 1001 }},
		{"rules", func(e *portal.Exam) { e.ValidityMonths = 0 }},
		{"domains", func(e *portal.Exam) { e.Domains[0].WeightPercent = 31 }},
	} {
		e := validExam()
		tc.edit(&e)
		_, err := svc.CreateExam(context.Background(), portal.SystemActor("test"), e)
		var pe *portal.Error
		if !errors.As(err, &pe) || len(pe.Fields) == 0 || pe.Fields[0].Field != tc.field {
			t.Errorf("%s: err = %v, want a field error on %s", tc.field, err, tc.field)
		}
	}
}
