package portal

import (
	"strconv"
	"time"
)

// Exam levels.
const (
	LevelFoundational = "foundational"
	LevelAssociate    = "associate"
	LevelProfessional = "professional"
	LevelSpecialty    = "specialty"
)

// Exam kinds.
const (
	KindExam            = "exam"
	KindMicrocredential = "microcredential"
)

// Delivery methods.
const (
	DeliveryTestCenter = "test_center"
	DeliveryOnline     = "online"
)

// Exam is one entry of the catalog. Money is in integer minor units.
type Exam struct {
	ID              int64
	Code            string `audit:"code"` // e.g. SAA-C03
	Name            string `audit:"name"`
	Description     string `audit:"description"`
	Level           string `audit:"level"`
	Kind            string `audit:"kind"`
	DurationMinutes int    `audit:"duration_minutes"`
	Languages       string `audit:"languages"` // comma-separated language tags
	Delivery        string `audit:"delivery"`  // comma-separated delivery methods
	PriceMinor      int64  `audit:"price_minor"`
	Currency        string `audit:"currency"`      // ISO 4217
	PassingScore    int    `audit:"passing_score"` // on the scaled 100–1000 range
	RetakeWaitDays  int    `audit:"retake_wait_days"`
	MaxReschedules  int    `audit:"max_reschedules"`
	// RescheduleFeeMinor is charged for each move a candidate asks for
	// (zero: free), in Currency.
	RescheduleFeeMinor int64 `audit:"reschedule_fee_minor"`
	ValidityMonths     int   `audit:"validity_months"`
	// ResultsDelayDays is the processing delay of a result, in business
	// days of the program's calendar after the delivery day.
	ResultsDelayDays int  `audit:"results_delay_days"`
	Active           bool `audit:"active"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Domains          []ExamDomain `db:"-" audit:"domains"`
}

// ExamDomain is a content area of an exam with its weight in percent.
type ExamDomain struct {
	Position      int
	Name          string
	WeightPercent int
}

// String is the domain as the audit log shows it: "Design 50%".
func (d ExamDomain) String() string { return d.Name + " " + strconv.Itoa(d.WeightPercent) + "%" }
