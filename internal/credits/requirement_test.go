package credits

import (
	"errors"
	"strings"
	"testing"

	"example.org/certportal/internal/portal"
)

var groups = map[string]string{
	"official_online_course": portal.CEGroupOfficial, "official_workshop": portal.CEGroupOfficial,
	"partner_training": portal.CEGroupRecognised, "documentation_review": portal.CEGroupRecognised,
	"published_article": portal.CEGroupOther, "conference_talk": portal.CEGroupOther, "teaching_course": portal.CEGroupOther,
}

func tally(byType map[string]int, exams ...string) Tally {
	return Tally{ByType: byType, GroupOf: groups, Exams: exams}
}

// TestExampleConfigurationsComputeProgress loads each documented example
// and computes progress on sample ledgers.
func TestExampleConfigurationsComputeProgress(t *testing.T) {
	ex, err := Examples()
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 3 {
		t.Fatalf("examples = %v, want three", ExampleNames())
	}
	type check struct {
		name    string
		level   string
		t       Tally
		met     bool
		missing int
	}
	cases := map[string][]check{
		"cisco_style": {
			{"foundational needs 30", portal.LevelFoundational, tally(map[string]int{"official_online_course": 3000}), true, 0},
			{"associate needs 40", portal.LevelAssociate, tally(map[string]int{"official_online_course": 3000}), false, 1000},
			{"professional needs 80", portal.LevelProfessional, tally(map[string]int{"conference_talk": 5000, "partner_training": 2000}), false, 1000},
			{"specialty needs 120", portal.LevelSpecialty, tally(map[string]int{"teaching_course": 10000, "partner_training": 2000}), true, 0},
			{"an associate exam pass renews without credits", portal.LevelAssociate, tally(nil, "CCNA"), true, 0},
		},
		"comptia_style": {
			{"50 credits", portal.LevelAssociate, tally(map[string]int{"official_online_course": 5000}), true, 0},
			{"articles count at most 25", portal.LevelAssociate, tally(map[string]int{"published_article": 5000}), false, 2500},
			{"articles to their maximum and the rest elsewhere", portal.LevelAssociate,
				tally(map[string]int{"published_article": 5000, "partner_training": 2500}), true, 0},
		},
		"isc2_style": {
			{"120 with 90 domain-related", portal.LevelProfessional,
				tally(map[string]int{"official_online_course": 6000, "partner_training": 3000, "teaching_course": 3000}), true, 0},
			{"120 but only 60 domain-related", portal.LevelProfessional,
				tally(map[string]int{"official_online_course": 6000, "teaching_course": 6000}), false, 3000},
			{"half way", portal.LevelProfessional, tally(map[string]int{"official_online_course": 6000}), false, 6000},
		},
	}
	for name, checks := range cases {
		cfg, ok := ex[name]
		if !ok {
			t.Fatalf("no example %s", name)
		}
		for _, c := range checks {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				got := Evaluate(cfg.RequirementFor(c.level), c.t)
				if got.Met != c.met || got.Missing != c.missing {
					t.Fatalf("Evaluate = met %v missing %d, want met %v missing %d (%+v)", got.Met, got.Missing, c.met, c.missing, got)
				}
			})
		}
	}
	if ex["cisco_style"].DeadlineDays != 90 || ex["comptia_style"].Attestation == "" || ex["comptia_style"].Options.CountMode != CountChoose ||
		ex["isc2_style"].Default.YearlyTarget != 4000 {
		t.Fatalf("example settings lost: %+v", ex)
	}
}

func TestRequirementValidationNamesThePath(t *testing.T) {
	tests := []struct {
		json, path string
	}{
		{`{"alternatives": []}`, "alternatives"},
		{`{"alternatives": [{"conditions": [{"kind": "credits", "credits": 0}]}]}`, "alternatives[0].conditions[0].credits"},
		{`{"alternatives": [{"conditions": [{"kind": "credits", "credits": 100}]}, {"conditions": [{"kind": "exam_pass"}]}]}`, "alternatives[1].conditions[0].exams"},
		{`{"alternatives": [{"conditions": [{"kind": "credits", "credits": 100, "group_min": [{"groups": ["nope"], "credits": 10}]}]}]}`, "alternatives[0].conditions[0].group_min[0].groups"},
		{`{"alternatives": [{"conditions": [{"kind": "credits", "credits": 100, "group_min": [{"groups": ["other"], "credits": 200}]}]}]}`, "alternatives[0].conditions[0].group_min[0].credits"},
		{`{"alternatives": [{"conditions": [{"kind": "magic"}]}]}`, "alternatives[0].conditions[0].kind"},
	}
	for _, tc := range tests {
		_, err := DecodeRequirement([]byte(tc.json))
		var pe *portal.Error
		if !errors.As(err, &pe) || len(pe.Fields) != 1 || pe.Fields[0].Field != tc.path {
			t.Errorf("%s: err = %v, want the path %s", tc.json, err, tc.path)
		}
	}
	// Every problem at once, each on its path, in order.
	_, err := DecodeRequirement([]byte(`{"alternatives": [
		{"conditions": [{"kind": "credits", "credits": 100, "type_max": {"b": 0, "a": -1}}, {"kind": "exam_pass"}]},
		{"conditions": [{"kind": "credits", "credits": 100}]},
		{"conditions": []}], "yearly_target": -1}`))
	var pe *portal.Error
	if !errors.As(err, &pe) {
		t.Fatalf("three bad alternatives: %v", err)
	}
	var got []string
	for _, f := range pe.Fields {
		got = append(got, f.Field+" "+f.Message)
	}
	want := []string{"yearly_target credits.error.negative", "alternatives[0].conditions[0].type_max.a credits.error.positive",
		"alternatives[0].conditions[0].type_max.b credits.error.positive", "alternatives[0].conditions[1].exams credits.error.exam_condition_empty",
		"alternatives[2].conditions credits.error.requirement_empty"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || pe.Data["Path"] != "yearly_target" {
		t.Errorf("problems:\n%s\nwant:\n%s (first path %v)", strings.Join(got, "\n"), strings.Join(want, "\n"), pe.Data["Path"])
	}
	if _, err := DecodeRequirement([]byte(`{"alternatives": [], "extra": 1}`)); !errors.Is(err, portal.ErrInvalid) {
		t.Errorf("unknown field: %v", err)
	}
}

func TestDefaultRequirementIs100Credits(t *testing.T) {
	r := DefaultRequirement()
	if got := Evaluate(r, tally(map[string]int{"partner_training": 9999})); got.Met || got.Missing != 1 || got.Needed != 10000 {
		t.Fatalf("99.99 credits: %+v", got)
	}
	if got := Evaluate(r, tally(map[string]int{"partner_training": 10000})); !got.Met || got.Missing != 0 {
		t.Fatalf("100 credits: %+v", got)
	}
}

func TestDefaultCatalogueIsValid(t *testing.T) {
	list := DefaultCatalogue()
	if len(list) != 10 {
		t.Fatalf("%d types, want 10", len(list))
	}
	for _, tt := range list {
		if err := ValidateActivityType(&tt); err != nil {
			t.Errorf("%s: %v", tt.Code, err)
		}
		if tt.Texts["es"].Name == "" || tt.DeadlineDays != 365 {
			t.Errorf("%s: %+v", tt.Code, tt)
		}
	}
}
