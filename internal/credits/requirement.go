package credits

import (
	"example.org/certportal/internal/portal"
	"example.org/certportal/internal/renewal"
)

// A requirement and its evaluation live in internal/renewal, which both
// this service (a decision's credits) and results (an exam pass) renew
// through; these names keep the service's vocabulary.
type (
	Requirement         = renewal.Requirement
	Alternative         = renewal.Alternative
	Condition           = renewal.Condition
	GroupMinimum        = renewal.GroupMinimum
	Tally               = renewal.Tally
	Standing            = renewal.Standing
	AlternativeStanding = renewal.AlternativeStanding
	ConditionStanding   = renewal.ConditionStanding
)

// DefaultRequiredCredits is what a certification needs within its cycle
// when it has no requirement of its own: 100 credits.
const DefaultRequiredCredits = renewal.DefaultRequiredCredits

// Condition kinds.
const (
	CondCredits  = renewal.CondCredits
	CondExamPass = renewal.CondExamPass
)

// DefaultRequirement is 100 credits, or a pass of the certification's own
// exam or one of its renewal paths.
func DefaultRequirement() Requirement { return renewal.DefaultRequirement() }

// DecodeRequirement reads a requirement as JSON, refusing unknown fields,
// and validates it.
func DecodeRequirement(b []byte) (Requirement, error) { return renewal.DecodeRequirement(b) }

// Evaluate computes how a tally meets the requirement.
func Evaluate(r Requirement, t Tally) Standing { return renewal.Evaluate(r, t) }

// pathError is an invalid error naming the path of the bad value.
func pathError(path, message string) *portal.Error { return renewal.PathError(path, message) }
