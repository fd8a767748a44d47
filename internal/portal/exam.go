package portal

import "time"

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
	Code            string // e.g. SAA-C03
	Name            string
	Description     string
	Level           string
	Kind            string
	DurationMinutes int
	Languages       string // comma-separated language tags
	Delivery        string // comma-separated delivery methods
	PriceMinor      int64
	Currency        string // ISO 4217
	PassingScore    int    // on the scaled 100–1000 range
	RetakeWaitDays  int
	MaxReschedules  int
	// RescheduleFeeMinor is charged for each move a candidate asks for
	// (zero: free), in Currency.
	RescheduleFeeMinor int64
	ValidityMonths     int
	Active             bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Domains            []ExamDomain `db:"-"`
}

// ExamDomain is a content area of an exam with its weight in percent.
type ExamDomain struct {
	Position      int
	Name          string
	WeightPercent int
}
