package credits

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"example.org/certportal/internal/portal"
)

// Credits are integers in hundredths of a credit: 150 is 1.5 credits.
const Credit = 100

// Rule is how an activity type turns what the candidate states into
// credits, and the caps that bound it. Every amount is in hundredths.
type Rule struct {
	Kind        string // portal.CERulePerUnit, CERuleRange or CERuleFixed
	UnitMinutes int    // per unit: 60 (per hour) or 15 (per quarter hour)
	PerUnit     int    // per unit: credits per whole unit
	Min, Max    int    // range: the claim and the decision lie within; fixed: Min = Max
	CapActivity int    // the most one activity gives; 0 for none
}

// RuleOf returns the rule of an activity type version.
func RuleOf(t *portal.CEActivityType) Rule {
	return Rule{Kind: t.Rule, UnitMinutes: t.UnitMinutes, PerUnit: t.PerUnit, Min: t.MinCredits, Max: t.MaxCredits, CapActivity: t.CapActivity}
}

// NeedsDuration reports whether the rule computes credits from a duration.
func (r Rule) NeedsDuration() bool { return r.Kind == portal.CERulePerUnit }

// Ceiling is the most the rule can give one activity.
func (r Rule) Ceiling() int {
	hi := r.Max
	if r.Kind == portal.CERulePerUnit {
		hi = -1 // unbounded but for the cap
	}
	if r.CapActivity > 0 && (hi < 0 || r.CapActivity < hi) {
		hi = r.CapActivity
	}
	return hi
}

// Claim computes the credits of an activity: per unit from the duration
// in minutes (whole units only: a partial unit gives nothing), capped per
// activity; range the candidate's claim, which must lie within the range;
// fixed the fixed amount. It never returns a negative amount nor one above
// the caps; a claim outside the range is an error.
func (r Rule) Claim(durationMinutes, claimed int) (int, error) {
	var c int
	switch r.Kind {
	case portal.CERulePerUnit:
		if durationMinutes < 0 || r.UnitMinutes <= 0 {
			return 0, fmt.Errorf("credits: duration %d minutes, unit %d", durationMinutes, r.UnitMinutes)
		}
		units := durationMinutes / r.UnitMinutes
		if r.PerUnit > 0 && units > maxCredits/r.PerUnit {
			units = maxCredits / r.PerUnit
		}
		c = units * r.PerUnit
	case portal.CERuleRange:
		if claimed < r.Min || claimed > r.Max {
			return 0, errClaimOutOfRange
		}
		c = claimed
	case portal.CERuleFixed:
		c = r.Min
	default:
		return 0, fmt.Errorf("credits: unknown rule %q", r.Kind)
	}
	return r.capActivity(c), nil
}

// maxCredits bounds every amount, far above any real activity, so that
// no product overflows.
const maxCredits = 1_000_000 * Credit

func (r Rule) capActivity(c int) int {
	if c < 0 {
		c = 0
	}
	if r.CapActivity > 0 && c > r.CapActivity {
		c = r.CapActivity
	}
	return min(c, maxCredits)
}

var errClaimOutOfRange = &portal.Error{Code: portal.EInvalid, Message: "credits.error.claim_range"}

// PartialBounds are the credits a partial decision may give for an
// activity that claimed claimed: a range rule's own range (a decision
// above the claim gives the claim), for other rules from one hundredth
// to the claim within the caps. Decide refuses anything else.
func (r Rule) PartialBounds(claimed int) (lo, hi int) {
	if r.Kind == portal.CERuleRange {
		return r.Min, r.Max
	}
	return 1, max(1, r.capActivity(claimed))
}

// Grant is what a reviewer's decision gives, whatever the form sent: the
// claimed amount for an approval; for a partial decision the amount sent,
// kept within the rule (a range's minimum at the least, one hundredth for
// other rules) and below the claim. The result is never negative nor
// above the claim or the caps.
func (r Rule) Grant(claimed, sent int, partial bool) int {
	claimed = r.capActivity(claimed)
	if !partial {
		return claimed
	}
	lo := 1
	if r.Kind == portal.CERuleRange {
		lo = r.Min
	}
	g := min(max(sent, lo), claimed)
	return max(g, 0)
}

// CapCycle bounds what a type adds toward one certification's cycle: of
// granted, no more than cap less what the type already holds in the
// cycle (cap 0: no cap). Never negative.
func CapCycle(granted, cap, already int) int {
	if granted < 0 {
		return 0
	}
	if cap <= 0 {
		return granted
	}
	return max(0, min(granted, cap-already))
}

// FormatCredits writes hundredths as a decimal number of credits with at
// most two decimals: 150 is "1.5", 25 is "0.25", 400 is "4".
func FormatCredits(c int) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole, frac := c/Credit, c%Credit
	if frac == 0 {
		return sign + strconv.Itoa(whole)
	}
	return sign + strings.TrimRight(fmt.Sprintf("%d.%02d", whole, frac), "0")
}

// FormatCreditsIn is FormatCredits with the decimal separator of lang
// (a comma in Spanish).
func FormatCreditsIn(c int, lang string) string {
	s := FormatCredits(c)
	if lang == "es" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// ParseCredits reads a decimal number of credits ("1.5", "0,25", "4")
// into hundredths; more than two decimals, a sign or anything else is an
// error.
func ParseCredits(s string) (int, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" {
		return 0, errBadCredits
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || (dot && frac == "") || !digits(whole) || !digits(frac) || len(whole) > 7 {
		return 0, errBadCredits
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if frac != "" {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*Credit + f, nil
}

var errBadCredits = &portal.Error{Code: portal.EInvalid, Message: "credits.error.credits_format"}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Quote is what the submission form shows before sending: the credits the
// type's rule gives for the stated duration or claim, without saving
// anything. Anyone may ask.
func (s *Service) Quote(ctx context.Context, typeCode, duration, claimed string) (int, error) {
	typ, err := s.st.FindCEActivityTypeByCode(ctx, typeCode)
	if err != nil {
		if isNotFound(err) {
			var v portal.Validation
			v.Add(FieldType, "credits.error.unknown_type", nil)
			return 0, v.Err()
		}
		return 0, err
	}
	rule := RuleOf(typ)
	minutes, c := 0, 0
	var v portal.Validation
	if rule.NeedsDuration() {
		if minutes, err = ParseDuration(duration); err != nil {
			v.Add(FieldDuration, "credits.error.duration_format", nil)
		}
	}
	if typ.Rule == portal.CERuleRange {
		if c, err = ParseCredits(claimed); err != nil {
			v.Add(FieldClaimed, "credits.error.claim_range", map[string]any{"Low": FormatCredits(rule.Min), "High": FormatCredits(rule.Max)})
		}
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	out, err := rule.Claim(minutes, c)
	if err != nil {
		v.Add(FieldClaimed, "credits.error.claim_range", map[string]any{"Low": FormatCredits(rule.Min), "High": FormatCredits(rule.Max)})
		return 0, v.Err()
	}
	return out, nil
}
