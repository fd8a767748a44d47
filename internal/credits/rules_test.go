package credits

import (
	"math/rand/v2"
	"testing"

	"example.org/certportal/internal/portal"
)

func TestClaimFollowsTheRule(t *testing.T) {
	review := Rule{Kind: portal.CERulePerUnit, UnitMinutes: 15, PerUnit: 25, CapActivity: 400}
	perHour := Rule{Kind: portal.CERulePerUnit, UnitMinutes: 60, PerUnit: 100}
	workshop := Rule{Kind: portal.CERuleRange, Min: 400, Max: 800}
	fixed := Rule{Kind: portal.CERuleFixed, Min: 5000, Max: 5000}
	tests := []struct {
		name     string
		rule     Rule
		minutes  int
		claimed  int
		want     int
		wantFail bool
	}{
		{"95 minutes of review are six quarter hours: 1.5 credits", review, 95, 0, 150, false},
		{"14 minutes of review are no whole unit", review, 14, 0, 0, false},
		{"review caps at 4 credits an activity", review, 600, 0, 400, false},
		{"exactly the cap", review, 240, 0, 400, false},
		{"an hour course: 1 credit an hour", perHour, 60, 0, 100, false},
		{"partial hours round down", perHour, 119, 0, 100, false},
		{"range claim within", workshop, 0, 650, 650, false},
		{"range claim at the bounds", workshop, 0, 800, 800, false},
		{"range claim below", workshop, 0, 399, 0, true},
		{"range claim above", workshop, 0, 801, 0, true},
		{"fixed ignores the claim", fixed, 0, 1, 5000, false},
		{"negative duration", perHour, -60, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.rule.Claim(tc.minutes, tc.claimed)
			if (err != nil) != tc.wantFail || got != tc.want {
				t.Fatalf("Claim(%d, %d) = %d, %v; want %d, fail %v", tc.minutes, tc.claimed, got, err, tc.want, tc.wantFail)
			}
		})
	}
}

func TestGrantStaysWithinTheRule(t *testing.T) {
	workshop := Rule{Kind: portal.CERuleRange, Min: 400, Max: 800}
	review := Rule{Kind: portal.CERulePerUnit, UnitMinutes: 15, PerUnit: 25, CapActivity: 400}
	tests := []struct {
		name                string
		rule                Rule
		claimed, sent, want int
		partial             bool
	}{
		{"approve gives the claim", workshop, 700, 0, 700, false},
		{"partial gives what was sent", workshop, 700, 500, 500, true},
		{"partial below the range's minimum is raised to it", workshop, 700, 100, 400, true},
		{"partial above the claim is lowered to it", workshop, 700, 5000, 700, true},
		{"partial of a per-unit rule is at least a hundredth", review, 150, -30, 1, true},
		{"approve never passes the cap", review, 9000, 0, 400, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rule.Grant(tc.claimed, tc.sent, tc.partial); got != tc.want {
				t.Fatalf("Grant(%d, %d, %v) = %d, want %d", tc.claimed, tc.sent, tc.partial, got, tc.want)
			}
		})
	}
}

// TestCreditRulesProperties: over random rules, durations, claims and
// decisions, credits are never negative, never above the activity cap,
// the range or the claim, and a type's cycle total never passes its cycle
// cap, so the ledger's sum equals the sum of what each step added.
func TestCreditRulesProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	for i := range 5000 {
		r := Rule{CapActivity: rng.IntN(3) * rng.IntN(1000)}
		switch rng.IntN(3) {
		case 0:
			r.Kind, r.UnitMinutes, r.PerUnit = portal.CERulePerUnit, []int{15, 60}[rng.IntN(2)], 1+rng.IntN(500)
		case 1:
			r.Kind, r.Min = portal.CERuleRange, 1+rng.IntN(5000)
			r.Max = r.Min + rng.IntN(5000)
		default:
			r.Kind, r.Min = portal.CERuleFixed, 1+rng.IntN(5000)
			r.Max = r.Min
		}
		minutes := rng.IntN(MaxDurationMinutes + 1)
		claim := r.Min + rng.IntN(r.Max-r.Min+1)
		c, err := r.Claim(minutes, claim)
		if err != nil {
			t.Fatalf("case %d: %+v Claim(%d, %d): %v", i, r, minutes, claim, err)
		}
		if c < 0 || (r.CapActivity > 0 && c > r.CapActivity) || (r.Kind != portal.CERulePerUnit && c > r.Max) {
			t.Fatalf("case %d: %+v Claim = %d out of bounds", i, r, c)
		}
		if hi := r.Ceiling(); hi >= 0 && c > hi {
			t.Fatalf("case %d: %+v Claim = %d above ceiling %d", i, r, c, hi)
		}
		g := r.Grant(c, rng.IntN(20000)-10000, rng.IntN(2) == 0)
		if g < 0 || g > c {
			t.Fatalf("case %d: %+v Grant(%d) = %d", i, r, c, g)
		}
		cycleCap, held, ledger := rng.IntN(3)*rng.IntN(10000), 0, 0
		for range 1 + rng.IntN(8) {
			add := CapCycle(g, cycleCap, held)
			if add < 0 || add > g {
				t.Fatalf("case %d: CapCycle(%d, %d, %d) = %d", i, g, cycleCap, held, add)
			}
			held += add
			ledger += add
			if cycleCap > 0 && held > cycleCap {
				t.Fatalf("case %d: cycle holds %d above its cap %d", i, held, cycleCap)
			}
		}
		if ledger != held {
			t.Fatalf("case %d: ledger %d, total %d", i, ledger, held)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"95", 95}, {"1:35", 95}, {"1h 35m", 95}, {"1h35m", 95}, {"1 h 35 min", 95}, {"1 hora 35 minutos", 95},
		{"2h", 120}, {"2 hours", 120}, {"45 min", 45}, {"1.5h", 90}, {"1,5 h", 90}, {"0:15", 15}, {" 1H 5M ", 65},
		{"", 0}, {"0", 0}, {"-5", 0}, {"1:5", 0}, {"1:60", 0}, {"1h 60m", 0}, {"35m 1h", 0}, {"1.5h 10m", 0},
		{"abc", 0}, {"1 day", 0}, {"60001", 0}, {"1000:01", 0}, {"1.555h", 0}, {"1e3", 0}, {"1h 35", 0},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %d, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"95", "1:35", "1h 35m", "2 horas", "1,5 h", "0:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseDuration(s)
		if err != nil {
			if m != 0 {
				t.Fatalf("ParseDuration(%q) = %d with error", s, m)
			}
			return
		}
		if m <= 0 || m > MaxDurationMinutes {
			t.Fatalf("ParseDuration(%q) = %d", s, m)
		}
		if back, err := ParseDuration(FormatDuration(m)); err != nil || back != m {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, m, FormatDuration(m), back, err)
		}
	})
}

func TestCreditsFormatAndParse(t *testing.T) {
	for _, tc := range []struct {
		c int
		s string
	}{{150, "1.5"}, {25, "0.25"}, {400, "4"}, {0, "0"}, {5005, "50.05"}} {
		if got := FormatCredits(tc.c); got != tc.s {
			t.Errorf("FormatCredits(%d) = %q, want %q", tc.c, got, tc.s)
		}
		if got, err := ParseCredits(tc.s); err != nil || got != tc.c {
			t.Errorf("ParseCredits(%q) = %d, %v", tc.s, got, err)
		}
	}
	if got := FormatCreditsIn(150, "es"); got != "1,5" {
		t.Errorf("Spanish 1.5 = %q", got)
	}
	for _, bad := range []string{"", "1.234", "-1", "1.", "a", "1e2", "99999999"} {
		if _, err := ParseCredits(bad); err == nil {
			t.Errorf("ParseCredits(%q) accepted", bad)
		}
	}
}
