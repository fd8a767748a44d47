package portal

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

type diffThing struct {
	ID       int64
	Name     string            `audit:"name"`
	Count    int               `audit:"count"`
	Price    int64             `audit:"price"`
	Ratio    float64           `audit:"ratio"`
	On       bool              `audit:"on"`
	Note     *string           `audit:"note"`
	At       time.Time         `audit:"at"`
	Until    *time.Time        `audit:"until"`
	Days     []time.Weekday    `audit:"days"`
	Labels   map[string]int    `audit:"labels"`
	Secret   string            `audit:"token,secret"`
	Ignored  string            `audit:"-"`
	Untagged string            // not audited
	Extra    map[string]string // not audited
}

func TestDiffRecordsChangedTaggedFields(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	note := "old note"
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	before := diffThing{ID: 1, Name: "A", Count: 1, Price: 100, Ratio: 0.5, On: false, Note: &note, At: at,
		Days: []time.Weekday{time.Monday, time.Tuesday}, Labels: map[string]int{"b": 2, "a": 1},
		Secret: "s3cr3t-old", Ignored: "x", Untagged: "x"}
	newNote := "new note"
	until := time.Date(2026, 4, 1, 0, 0, 0, 0, madrid)
	after := before
	after.ID = 2
	after.Count = 2
	after.Price = 150
	after.Ratio = 0.25
	after.On = true
	after.Note = &newNote
	after.At = at.In(madrid) // the same instant: no change
	after.Until = &until
	after.Days = []time.Weekday{time.Monday}
	after.Labels = map[string]int{"a": 1, "b": 3}
	after.Secret = "s3cr3t-new"
	after.Ignored, after.Untagged, after.Extra = "y", "y", map[string]string{"k": "v"}

	got := Diff(before, &after)
	want := []FieldChange{
		{Field: "count", Before: "1", After: "2"},
		{Field: "price", Before: "100", After: "150"},
		{Field: "ratio", Before: "0.5", After: "0.25"},
		{Field: "on", Before: "false", After: "true"},
		{Field: "note", Before: "old note", After: "new note"},
		{Field: "until", Before: "", After: "2026-03-31T22:00:00Z"},
		{Field: "days", Before: "Monday, Tuesday", After: "Monday"},
		{Field: "labels", Before: "a=1, b=2", After: "a=1, b=3"},
		{Field: "token", Secret: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff =\n%+v\nwant\n%+v", got, want)
	}
	for _, c := range got {
		if strings.Contains(c.Before+c.After, "s3cr3t") {
			t.Errorf("a secret value is in the changes: %+v", c)
		}
	}
}

func TestDiffUnchangedIsEmpty(t *testing.T) {
	note1, note2 := "same", "same"
	a := diffThing{Name: "A", Note: &note1, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Secret: "k"}
	b := a
	b.Note = &note2 // another pointer to an equal value
	b.Untagged = "changed but not audited"
	if got := Diff(a, b); len(got) != 0 {
		t.Fatalf("Diff of equal values = %+v, want none", got)
	}
	if got := Diff(&a, &a); len(got) != 0 {
		t.Fatalf("Diff of a value with itself = %+v", got)
	}
}

func TestDiffNilPointers(t *testing.T) {
	// A nil pointer field against a set one, both ways.
	s := "x"
	if got := Diff(diffThing{}, diffThing{Note: &s}); !reflect.DeepEqual(got, []FieldChange{{Field: "note", After: "x"}}) {
		t.Errorf("nil -> set: %+v", got)
	}
	if got := Diff(diffThing{Note: &s}, diffThing{}); !reflect.DeepEqual(got, []FieldChange{{Field: "note", Before: "x"}}) {
		t.Errorf("set -> nil: %+v", got)
	}
	// A whole nil struct: created or deleted.
	created := &diffThing{Name: "New", Count: 3, Secret: "k"}
	var none *diffThing
	got := Diff(none, created)
	names := []string{}
	for _, c := range got {
		names = append(names, c.Field)
	}
	if strings.Join(names, ",") != "name,count,price,ratio,on,token" {
		t.Fatalf("created: fields %v (%+v)", names, got)
	}
	if got[0].Before != "" || got[0].After != "New" || got[1].After != "3" || !got[5].Secret || got[5].After != "" {
		t.Errorf("created: %+v", got)
	}
	if got := Diff(created, none); len(got) != 6 || got[0].Before != "New" || got[0].After != "" {
		t.Errorf("deleted: %+v", got)
	}
	if got := Diff(none, none); got != nil {
		t.Errorf("nil against nil: %+v", got)
	}
}

func TestDiffTimesAreUTC(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	a := diffThing{At: time.Date(2026, 7, 1, 8, 0, 0, 0, ny)}
	b := diffThing{At: time.Date(2026, 7, 1, 9, 30, 0, 0, ny)}
	got := Diff(a, b)
	want := []FieldChange{{Field: "at", Before: "2026-07-01T12:00:00Z", After: "2026-07-01T13:30:00Z"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff = %+v, want %+v", got, want)
	}
	// A zero time reads as empty.
	if got := Diff(diffThing{}, a); got[0].Before != "" {
		t.Errorf("zero time = %q", got[0].Before)
	}
}

func TestDiffSecretRecordsOnlyThatItChanged(t *testing.T) {
	got := Diff(&User{PasswordHash: "$argon2id$old"}, &User{PasswordHash: "$argon2id$new"})
	if !reflect.DeepEqual(got, []FieldChange{{Field: "password", Secret: true}}) {
		t.Fatalf("password change = %+v", got)
	}
	if got := Diff(&User{PasswordHash: "h", City: "Paris"}, &User{PasswordHash: "h", City: "Lyon"}); !reflect.DeepEqual(got,
		[]FieldChange{{Field: "city", Before: "Paris", After: "Lyon"}}) {
		t.Fatalf("profile change = %+v", got)
	}
}

func TestDiffExam(t *testing.T) {
	before := Exam{ID: 1, Code: "SAA-C03", PriceMinor: 15000, PassingScore: 720,
		Domains: []ExamDomain{{Position: 1, Name: "Design", WeightPercent: 60}, {Position: 2, Name: "Run", WeightPercent: 40}}}
	after := before
	after.PriceMinor = 16000
	after.UpdatedAt = time.Now()
	after.Domains = []ExamDomain{{Position: 1, Name: "Design", WeightPercent: 50}, {Position: 2, Name: "Run", WeightPercent: 50}}
	want := []FieldChange{{Field: "price_minor", Before: "15000", After: "16000"},
		{Field: "domains", Before: "Design 60%, Run 40%", After: "Design 50%, Run 50%"}}
	if got := Diff(before, after); !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff = %+v, want %+v", got, want)
	}
}

func TestDiffRefusesMixedTypes(t *testing.T) {
	for name, f := range map[string]func(){
		"two types":  func() { Diff(Exam{}, User{}) },
		"not struct": func() { Diff(1, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
