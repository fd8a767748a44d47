package renewal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"example.org/certportal/internal/portal"
)

// Credit is one credit in hundredths, the unit of every amount here.
const Credit = 100

// DefaultRequiredCredits is what a certification needs within its cycle
// when it has no requirement of its own: 100 credits.
const DefaultRequiredCredits = 100 * Credit

// maxCredits bounds any amount of credits a requirement names.
const maxCredits = 1_000_000 * Credit

// Condition kinds.
const (
	CondCredits  = "credits"   // approved credits within the cycle
	CondExamPass = "exam_pass" // a pass within the cycle of one of Exams, or of the certification's own exams and renewal paths
)

// Requirement is what a certification's holder must reach within a cycle:
// any one of the alternatives, each met when all its conditions are. The
// yearly target is guidance only. Amounts are hundredths of a credit.
type Requirement struct {
	Alternatives []Alternative `json:"alternatives"`
	YearlyTarget int           `json:"yearly_target,omitempty"`
}

// Alternative is one way to meet a requirement.
type Alternative struct {
	Conditions []Condition `json:"conditions"`
}

// Condition is one thing an alternative asks. A credits condition asks
// Credits in total, at least the given minimum in each GroupMin (credits
// of the activity groups it lists, together), counting no type beyond its
// TypeMax. An exam-pass condition asks a pass of any of Exams or, with
// RenewalPaths, of an exam that earns the certification or is one of its
// renewal paths in the catalogue.
type Condition struct {
	Kind         string         `json:"kind"`
	Credits      int            `json:"credits,omitempty"`
	GroupMin     []GroupMinimum `json:"group_min,omitempty"`
	TypeMax      map[string]int `json:"type_max,omitempty"`
	Exams        []string       `json:"exams,omitempty"`
	RenewalPaths bool           `json:"renewal_paths,omitempty"`
}

// GroupMinimum asks at least Credits from activities of Groups.
type GroupMinimum struct {
	Groups  []string `json:"groups"`
	Credits int      `json:"credits"`
}

// DefaultRequirement is 100 credits, or a pass of the certification's own
// exam or one of its renewal paths.
func DefaultRequirement() Requirement {
	return Requirement{Alternatives: []Alternative{
		{Conditions: []Condition{{Kind: CondCredits, Credits: DefaultRequiredCredits}}},
		{Conditions: []Condition{{Kind: CondExamPass, RenewalPaths: true}}},
	}}
}

// Validate reports every problem of a requirement, each on its path
// (alternatives[0].conditions[1].credits); the error's Data names the
// first one's.
func (r Requirement) Validate() error {
	var v portal.Validation
	if len(r.Alternatives) == 0 {
		v.Add("alternatives", "credits.error.requirement_empty", nil)
	}
	if r.YearlyTarget < 0 {
		v.Add("yearly_target", "credits.error.negative", nil)
	}
	for i, a := range r.Alternatives {
		p := fmt.Sprintf("alternatives[%d]", i)
		if len(a.Conditions) == 0 {
			v.Add(p+".conditions", "credits.error.requirement_empty", nil)
		}
		for j, c := range a.Conditions {
			c.check(fmt.Sprintf("%s.conditions[%d]", p, j), &v)
		}
	}
	if len(v.Fields) == 0 {
		return nil
	}
	e := PathError(v.Fields[0].Field, v.Fields[0].Message)
	e.Fields = v.Fields
	return e
}

// check adds the problems of a condition at path p to v.
func (c Condition) check(p string, v *portal.Validation) {
	switch c.Kind {
	case CondCredits:
		if c.Credits <= 0 || c.Credits > maxCredits {
			v.Add(p+".credits", "credits.error.positive", nil)
		}
		for k, g := range c.GroupMin {
			gp := fmt.Sprintf("%s.group_min[%d]", p, k)
			if g.Credits <= 0 || g.Credits > c.Credits {
				v.Add(gp+".credits", "credits.error.group_min", nil)
			}
			if len(g.Groups) == 0 || slices.ContainsFunc(g.Groups, func(name string) bool { return !slices.Contains(portal.CEGroups(), name) }) {
				v.Add(gp+".groups", "credits.error.unknown_group", nil)
			}
		}
		codes := make([]string, 0, len(c.TypeMax))
		for code := range c.TypeMax {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		for _, code := range codes {
			if m := c.TypeMax[code]; m <= 0 || m > maxCredits {
				v.Add(p+".type_max."+code, "credits.error.positive", nil)
			}
		}
	case CondExamPass:
		if len(c.Exams) == 0 && !c.RenewalPaths {
			v.Add(p+".exams", "credits.error.exam_condition_empty", nil)
		}
	default:
		v.Add(p+".kind", "credits.error.unknown_condition", nil)
	}
}

// PathError is an invalid error naming the path of the bad value.
func PathError(path, message string) *portal.Error {
	return &portal.Error{Code: portal.EInvalid, Message: message, Data: map[string]any{"Path": path},
		Fields: []portal.FieldError{{Field: path, Message: message}}}
}

// DecodeRequirement reads a requirement as JSON, refusing unknown fields,
// and validates it.
func DecodeRequirement(b []byte) (Requirement, error) {
	var r Requirement
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Requirement{}, &portal.Error{Code: portal.EInvalid, Message: "credits.error.json", Data: map[string]any{"Detail": err.Error()}}
	}
	return r, r.Validate()
}

// Tally is what a candidate holds toward one certification's cycle:
// approved credits by activity type code (net of reversals and of what
// earlier renewals consumed), the group of each type, the exams passed
// within the cycle, and whether one of them earns or renews the
// certification (RenewalPass).
type Tally struct {
	ByType      map[string]int
	GroupOf     map[string]string
	Exams       []string
	RenewalPass bool
}

// Standing is how a tally meets a requirement.
type Standing struct {
	Met bool
	// Counted is the credits that count (after each type's maximum) in
	// the alternative closest to being met, Needed what it asks in total,
	// and Missing the credits still needed there (a group minimum can ask
	// more than the total's shortfall). Zero when no alternative asks
	// credits.
	Counted, Needed, Missing int
	Alternatives             []AlternativeStanding
}

// AlternativeStanding is how a tally meets one alternative.
type AlternativeStanding struct {
	Met        bool
	Conditions []ConditionStanding
}

// ConditionStanding is how a tally meets one condition.
type ConditionStanding struct {
	Kind      string
	Met       bool
	Counted   int   // credits counted toward it
	Missing   int   // credits still needed (total or a group's)
	GroupLeft []int // credits still needed per group minimum
}

// Evaluate computes how a tally meets the requirement.
func Evaluate(r Requirement, t Tally) Standing {
	var s Standing
	best := -1
	for _, a := range r.Alternatives {
		as := AlternativeStanding{Met: true}
		for _, c := range a.Conditions {
			cs := evaluateCondition(c, t)
			as.Met = as.Met && cs.Met
			as.Conditions = append(as.Conditions, cs)
			if c.Kind == CondCredits && (best < 0 || cs.Missing < s.Missing) {
				best, s.Counted, s.Needed, s.Missing = 1, cs.Counted, c.Credits, cs.Missing
			}
		}
		s.Met = s.Met || as.Met
		s.Alternatives = append(s.Alternatives, as)
	}
	if s.Met {
		s.Missing = 0
	}
	return s
}

func evaluateCondition(c Condition, t Tally) ConditionStanding {
	cs := ConditionStanding{Kind: c.Kind}
	switch c.Kind {
	case CondExamPass:
		cs.Met = c.RenewalPaths && t.RenewalPass
		for _, e := range c.Exams {
			cs.Met = cs.Met || slices.Contains(t.Exams, e)
		}
		return cs
	case CondCredits:
	default:
		return cs
	}
	counted := map[string]int{}
	for code, n := range t.ByType {
		n = max(n, 0)
		if m, ok := c.TypeMax[code]; ok && n > m {
			n = m
		}
		counted[code] = n
		cs.Counted += n
	}
	cs.Missing = max(0, c.Credits-cs.Counted)
	for _, g := range c.GroupMin {
		in := 0
		for code, n := range counted {
			if slices.Contains(g.Groups, t.GroupOf[code]) {
				in += n
			}
		}
		left := max(0, g.Credits-in)
		cs.GroupLeft = append(cs.GroupLeft, left)
		cs.Missing = max(cs.Missing, left)
	}
	cs.Met = cs.Missing == 0
	return cs
}
