package renewal_test

import (
	"testing"
	"time"

	"example.org/certportal/internal/renewal"
)

// TestNextPeriod: the next period starts the day after the old expiry and
// ends on the same calendar day one validity later (the month's last day
// when there is none), at the end of that day in the program's zone.
func TestNextPeriod(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, expires string
		months        int
		issued, next  string
		endsAt        time.Time
	}{
		{"three years", "2029-11-30", 36, "2029-12-01", "2032-11-30", time.Date(2032, 12, 1, 0, 0, 0, 0, ny)},
		{"leap day to a common year", "2028-02-29", 12, "2028-03-01", "2029-02-28", time.Date(2029, 3, 1, 0, 0, 0, 0, ny)},
		{"leap day to a leap year", "2028-02-29", 48, "2028-03-01", "2032-02-29", time.Date(2032, 3, 1, 0, 0, 0, 0, ny)},
		{"month end", "2027-01-31", 1, "2027-02-01", "2027-02-28", time.Date(2027, 3, 1, 0, 0, 0, 0, ny)},
		{"across the DST change", "2027-03-13", 12, "2027-03-14", "2028-03-13", time.Date(2028, 3, 14, 0, 0, 0, 0, ny)},
		{"year end", "2026-12-31", 12, "2027-01-01", "2027-12-31", time.Date(2028, 1, 1, 0, 0, 0, 0, ny)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issued, next, at, err := renewal.NextPeriod(tc.expires, tc.months, ny)
			if err != nil || issued != tc.issued || next != tc.next || !at.Equal(tc.endsAt) {
				t.Fatalf("NextPeriod(%s, %d) = %s, %s, %s, %v; want %s, %s, %s", tc.expires, tc.months, issued, next, at, err,
					tc.issued, tc.next, tc.endsAt)
			}
		})
	}
	for _, bad := range []struct {
		expires string
		months  int
	}{{"2029-13-01", 12}, {"", 12}, {"2029-11-30", 0}} {
		if _, _, _, err := renewal.NextPeriod(bad.expires, bad.months, ny); err == nil {
			t.Errorf("NextPeriod(%q, %d) accepted", bad.expires, bad.months)
		}
	}
}

// TestDefaultRequirementOffersCreditsOrAPass: the default is 100 credits
// or a pass of the certification's own exam or a renewal path; a pass
// condition needs exams or renewal paths.
func TestDefaultRequirementOffersCreditsOrAPass(t *testing.T) {
	r := renewal.DefaultRequirement()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		tally renewal.Tally
		met   bool
	}{
		{"nothing", renewal.Tally{}, false},
		{"99.99 credits", renewal.Tally{ByType: map[string]int{"teaching_course": 9999}}, false},
		{"100 credits", renewal.Tally{ByType: map[string]int{"teaching_course": 6000, "conference_talk": 4000}}, true},
		{"a pass of another exam", renewal.Tally{Exams: []string{"DVA-C02"}}, false},
		{"a renewing pass", renewal.Tally{Exams: []string{"SAA-C03"}, RenewalPass: true}, true},
	} {
		if got := renewal.Evaluate(r, tc.tally).Met; got != tc.met {
			t.Errorf("%s: met %v, want %v", tc.name, got, tc.met)
		}
	}
	bad := renewal.Requirement{Alternatives: []renewal.Alternative{{Conditions: []renewal.Condition{{Kind: renewal.CondExamPass}}}}}
	if err := bad.Validate(); err == nil {
		t.Error("an exam-pass condition without exams or renewal paths was accepted")
	}
	named := renewal.Requirement{Alternatives: []renewal.Alternative{{Conditions: []renewal.Condition{{Kind: renewal.CondExamPass,
		Exams: []string{"SAP-C02"}}}}}}
	if renewal.Evaluate(named, renewal.Tally{Exams: []string{"SAA-C03"}, RenewalPass: true}).Met {
		t.Error("a requirement naming SAP-C02 was met by another pass")
	}
}
